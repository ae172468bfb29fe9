package rotation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// SavedPlanVersion is the version of the saved plan format this byok
// writes and reads.
const SavedPlanVersion = 1

// SavedPlan is a decided request as a document: byok plan --out writes
// it, byok rotate --plan executes exactly it after checking that nothing
// it was decided from changed, and --dry-run --format json prints it.
type SavedPlan struct {
	Version      int         `json:"version"`
	Created      time.Time   `json:"created"`
	EstateDigest string      `json:"estate_digest"`
	Selector     Selector    `json:"selector"`
	Strategy     string      `json:"strategy"`
	Target       store.RunID `json:"target,omitempty"`
	Keys         []SavedKey  `json:"keys"`
}

// SavedKey is one requested key: the facts its decision came from (what
// --plan checks again) and the decision (strategy, admission, steps).
type SavedKey struct {
	Alias  string `json:"alias"`
	Region string `json:"region"`
	KeyARN string `json:"key_arn,omitempty"`
	// AliasTarget is the key ID the alias targeted when planned.
	AliasTarget       string `json:"alias_target,omitempty"`
	CurrentMaterialID string `json:"current_material_id,omitempty"`
	OnDemandRotations int    `json:"on_demand_rotations"`
	// MaterialsDigest is the SHA-256 of every material's ID, state,
	// ValidTo and import state, as ListKeyRotations showed them.
	MaterialsDigest string   `json:"materials_digest,omitempty"`
	Strategy        string   `json:"strategy"`
	Admission       string   `json:"admission"`
	Reason          string   `json:"reason,omitempty"`
	Note            string   `json:"note,omitempty"`
	MaterialID      string   `json:"material_id,omitempty"`
	HSMLabel        string   `json:"hsm_label,omitempty"`
	NewKeyID        string   `json:"new_key_id,omitempty"`
	Steps           []string `json:"steps"`
}

// Save is p as a document, decided against est at now.
func (p Prepared) Save(est *estate.Estate, now time.Time) SavedPlan {
	sp := SavedPlan{Version: SavedPlanVersion, Created: now.UTC(), EstateDigest: EstateDigest(est),
		Selector: p.Selector, Strategy: string(p.Strategy), Target: p.Target, Keys: []SavedKey{}}
	for _, it := range p.Items {
		sk := SavedKey{Alias: it.Key.Alias, Region: it.Key.Region, KeyARN: it.KeyARN, Strategy: it.Strategy.String(),
			Admission: it.Admission.String(), Reason: it.Reason, Note: it.Note, MaterialID: it.MaterialID,
			HSMLabel: it.HSMLabel, NewKeyID: it.NewKeyID, Steps: []string{}}
		if it.Plan != nil {
			st := it.Plan.Status
			sk.AliasTarget, sk.CurrentMaterialID, sk.OnDemandRotations = st.KeyID, st.CurrentID, st.OnDemandRotations
			sk.MaterialsDigest = materialsDigest(st.Materials)
		}
		if it.Admission == store.AdmissionAdmitted {
			for _, s := range it.Steps {
				sk.Steps = append(sk.Steps, s.String())
			}
		}
		sp.Keys = append(sp.Keys, sk)
	}
	return sp
}

// EstateDigest is the SHA-256 of what the estate says about keys and
// policy: a saved plan is refused when it changed.
func EstateDigest(est *estate.Estate) string {
	b, _ := json.Marshal(struct { // plain structs of strings and durations always marshal
		Keys   []estate.Key
		Policy estate.Policy
	}{est.Keys(), est.Policy})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func materialsDigest(ms []Material) string {
	h := sha256.New()
	for _, m := range ms {
		validTo := ""
		if m.ValidTo != nil {
			validTo = m.ValidTo.UTC().Format(time.RFC3339Nano)
		}
		fmt.Fprintf(h, "%s|%s|%s|%s\n", m.ID, m.State, validTo, m.ImportState)
	}
	return hex.EncodeToString(h.Sum(nil))
}
