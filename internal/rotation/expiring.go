package rotation

import (
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/store"
)

// ExpiringMaterial is a material of a key whose ValidTo is inside the
// policy's warning window (or already past). KMS makes the whole key
// unusable when any one of its materials expires, and a rotation does not
// help: the new material becomes current but the old one keeps its
// ValidTo. The remedy is to re-import that same material from the HSM
// object that holds it with EXPIRATION_MODEL KEY_MATERIAL_DOES_NOT_EXPIRE
// (ImportType EXISTING_KEY_MATERIAL, KeyMaterialId = ID).
type ExpiringMaterial struct {
	ID          string
	State       types.KeyMaterialState
	ValidTo     time.Time
	Description string
	// ImportedBy is the byok run that imported the material (byok writes
	// its run ID as the KeyMaterialDescription); empty when the material
	// came from elsewhere.
	ImportedBy store.RunID
	// HSMLabel is the label of the HSM object holding the material, when
	// byok imported it.
	HSMLabel string
}

// Reimportable reports whether byok can re-import the material itself:
// only then does it know which HSM object holds it.
func (m ExpiringMaterial) Reimportable() bool { return m.ImportedBy != "" }

// Command is the byok command that re-imports the material without expiry
// ("" when byok cannot; see Hint).
func (m ExpiringMaterial) Command(alias string) string {
	if !m.Reimportable() {
		return ""
	}
	return fmt.Sprintf("byok import --key %s --reimport --material-id %s", alias, m.ID)
}

// Hint tells the operator how to fix the material.
func (m ExpiringMaterial) Hint(alias string) string {
	if m.Reimportable() {
		return fmt.Sprintf("re-import it without expiry from HSM object %q: %s (byok rotate --due does this)", m.HSMLabel, m.Command(alias))
	}
	return fmt.Sprintf("byok did not import this material (description %q), so it cannot find its HSM object: "+
		"re-import it from the HSM that holds it with ImportKeyMaterial ImportType EXISTING_KEY_MATERIAL, KeyMaterialId %s, "+
		"ExpirationModel KEY_MATERIAL_DOES_NOT_EXPIRE; a rotation does not help (the old material keeps its ValidTo)", m.Description, m.ID)
}

// expiringMaterials lists the materials of st whose ValidTo is within
// warning of now, soonest first.
func expiringMaterials(k estate.Key, st KeyStatus, warning time.Duration, now time.Time) []ExpiringMaterial {
	var out []ExpiringMaterial
	for _, m := range st.Materials {
		if !compliance.MaterialExpiring(m.ValidTo, now, warning) {
			continue
		}
		em := ExpiringMaterial{ID: m.ID, State: m.State, ValidTo: *m.ValidTo, Description: m.Description}
		if run, err := store.ParseRunID(m.Description); err == nil {
			em.ImportedBy = run
			em.HSMLabel = KeyHSMLabel(run, k)
		}
		out = append(out, em)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ValidTo.Before(out[j].ValidTo) })
	return out
}

// KeyHSMLabel is the label of the HSM object byok creates for key k in
// run. An estate's alias names one key in each of its Regions: outside
// the primary Region the label carries the Region
// ("byok:RUN:ALIAS@REGION"), or one run's keys of one alias in two
// Regions would share one object (the same material imported into both)
// or race to create it.
func KeyHSMLabel(run store.RunID, k estate.Key) string {
	if k.Secondary && k.Region != "" {
		return HSMLabel(run, k.Alias+"@"+k.Region)
	}
	return HSMLabel(run, k.Alias)
}

// legacyHSMLabel is the label runs made before KeyHSMLabel qualified
// secondary-Region labels gave the key's object ("" when it is the same).
func legacyHSMLabel(run store.RunID, k estate.Key) string {
	if !k.Secondary {
		return ""
	}
	return HSMLabel(run, k.Alias)
}

// HSMLabel is the label of the HSM object byok creates for alias in run:
// "byok:<runID>:<alias>". A resumed run and a re-import find it by it.
func HSMLabel(run store.RunID, alias string) string {
	return keyimport.Label(run.String(), alias)
}
