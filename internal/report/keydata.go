package report

import (
	"strconv"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
)

// keyData is what a finding says about the key its resource uses, as
// fields a program can read instead of parsing Detail: the alias, the
// current material, its age in whole days at the scan time, and the
// earliest ValidTo of any material (absent: nothing expires).
type keyData struct {
	Alias           string `json:"alias,omitempty"`
	MaterialID      string `json:"material_id,omitempty"`
	MaterialAgeDays *int   `json:"material_age_days,omitempty"`
	ValidTo         string `json:"valid_to,omitempty"`
}

// keyDataOf looks the result's key up in the report's key facts.
func keyDataOf(rep Report, r compliance.Result) keyData {
	kf, ok := rep.Keys[r.KeyARN]
	if r.KeyARN == "" || !ok || kf.Err != nil {
		return keyData{}
	}
	var d keyData
	if len(kf.Aliases) > 0 {
		d.Alias = kf.Aliases[0] // the scan puts the estate alias first
	}
	d.MaterialID = kf.CurrentID
	if !kf.CurrentSince.IsZero() && !rep.Meta.ScanTime.IsZero() {
		days := max(0, int(rep.Meta.ScanTime.Sub(kf.CurrentSince)/(24*time.Hour)))
		d.MaterialAgeDays = &days
	}
	if v := earliestValidTo(kf.Materials); v != nil {
		d.ValidTo = v.UTC().Format(time.RFC3339)
	}
	return d
}

func earliestValidTo(ms []compliance.Material) *time.Time {
	var first *time.Time
	for _, m := range ms {
		if m.ValidTo != nil && (first == nil || m.ValidTo.Before(*first)) {
			first = m.ValidTo
		}
	}
	return first
}

// Fix is the operator's next step for a result, as a command where one
// exists; empty when there is nothing to do (compliant, not applicable).
func Fix(r compliance.Result, alias string) string {
	key := r.KeyARN
	if alias != "" {
		key = alias
	}
	switch r.Reason {
	case compliance.ReasonMaterialOverdue:
		return "byok rotate --key " + key
	case compliance.ReasonMaterialExpiring:
		return "byok rotate --due (re-imports byok's expiring material without expiry; see byok plan)"
	case compliance.ReasonKeyPendingImport:
		return "byok import --key " + key + " --reimport"
	case compliance.ReasonKeyDisabled:
		return "aws kms enable-key --key-id " + r.KeyARN + " (in the Security account)"
	case compliance.ReasonKeyPendingDeletion:
		return "aws kms cancel-key-deletion --key-id " + r.KeyARN + " && aws kms enable-key --key-id " + r.KeyARN
	case compliance.ReasonKeySuperseded, compliance.ReasonWrongEstateKey, compliance.ReasonKeyOutsideEstate,
		compliance.ReasonAWSManagedKey, compliance.ReasonUnencrypted, compliance.ReasonNotKMS:
		return "move the resource to its estate key (byok estate show lists the aliases; the detail names the one it must use)"
	case compliance.ReasonAliasInOwnAccount:
		return "name the key by its key ARN or alias ARN in the Security account, not a bare alias"
	case compliance.ReasonKeyUnreadable, compliance.ReasonEncryptionUnreadable:
		return "grant the operator/verify role read access (DescribeKey, ListKeyRotations, the service's Describe call) and scan again"
	}
	return ""
}

// addKeyFields puts the finding's key data and fix into ASFF
// ProductFields (string values of at most 2048 characters each).
func addKeyFields(m map[string]string, r compliance.Result, d keyData) {
	set := func(k, v string) {
		if v != "" && m != nil {
			m[k] = limit(v, 2048)
		}
	}
	set("byok/Alias", d.Alias)
	set("byok/MaterialId", d.MaterialID)
	if d.MaterialAgeDays != nil {
		set("byok/MaterialAgeDays", strconv.Itoa(*d.MaterialAgeDays))
	}
	set("byok/ValidTo", d.ValidTo)
	set("byok/Fix", Fix(r, d.Alias))
}
