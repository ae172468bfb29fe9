package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/compliance"
)

// TestJSONKeyFields: the alias, material, age, ValidTo, severity and fix
// of a finding are JSON fields, read from the report's key facts.
func TestJSONKeyFields(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, testReport()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	byName := map[string]map[string]any{}
	for _, r := range doc.Results {
		byName[r["resource_id"].(string)] = r
	}
	cases := map[string]map[string]any{
		"db-ABC": {"alias": "alias/prod/rds", "material_id": "m1", "material_age_days": 10.0,
			"valid_to": "2027-03-01T00:00:00Z", "severity": "INFORMATIONAL", "fix": nil},
		"t,1":  {"alias": nil, "material_id": nil, "material_age_days": nil, "valid_to": nil, "severity": "LOW"},
		"logs": {"alias": nil, "severity": "HIGH", "fix": "name the key by its key ARN or alias ARN in the Security account, not a bare alias"},
	}
	for id, want := range cases {
		got := byName[id]
		for field, v := range want {
			if got[field] != v {
				t.Errorf("%s: %s = %#v, want %#v", id, field, got[field], v)
			}
		}
	}
}

// TestFixForEveryNonCompliantReason: every reason a NON_COMPLIANT or
// INSUFFICIENT_DATA finding can carry has a fix, so a new reason cannot
// reach a report without one; overdue and pending-import name the alias.
func TestFixForEveryNonCompliantReason(t *testing.T) {
	none := map[compliance.Reason]bool{compliance.ReasonCompliant: true, compliance.ReasonResourceDeleted: true,
		compliance.ReasonUnsupportedType: true, compliance.ReasonOutsideEstate: true, compliance.ReasonServiceOutsideEstate: true}
	for _, reason := range compliance.Reasons() {
		fix := Fix(compliance.Result{Reason: reason, KeyARN: "arn:aws:kms:eu-west-1:111111111111:key/k"}, "alias/prod/rds")
		if none[reason] != (fix == "") {
			t.Errorf("%s: fix %q", reason, fix)
		}
	}
	for reason, want := range map[compliance.Reason]string{
		compliance.ReasonMaterialOverdue:  "byok rotate --key alias/prod/rds",
		compliance.ReasonKeyPendingImport: "byok import --key alias/prod/rds --reimport",
		compliance.ReasonKeyDisabled:      "aws kms enable-key --key-id arn:aws:kms:eu-west-1:111111111111:key/k",
	} {
		if fix := Fix(compliance.Result{Reason: reason, KeyARN: "arn:aws:kms:eu-west-1:111111111111:key/k"}, "alias/prod/rds"); !strings.HasPrefix(fix, want) {
			t.Errorf("%s: fix %q, want %q", reason, fix, want)
		}
	}
}

// TestASFFKeyFields: the key data and the fix are ASFF ProductFields.
func TestASFFKeyFields(t *testing.T) {
	fs, err := ASFFFindings(testReport())
	if err != nil {
		t.Fatal(err)
	}
	var rds, logs map[string]string
	for _, f := range fs {
		switch {
		case strings.HasSuffix(f.Resources[0].ID, ":db:orders"):
			rds = f.ProductFields
		case strings.HasSuffix(f.Resources[0].ID, ":::logs"):
			logs = f.ProductFields
		}
	}
	want := map[string]string{"byok/Alias": "alias/prod/rds", "byok/MaterialId": "m1", "byok/MaterialAgeDays": "10",
		"byok/ValidTo": "2027-03-01T00:00:00Z"}
	for k, v := range want {
		if rds[k] != v {
			t.Errorf("orders %s = %q, want %q", k, rds[k], v)
		}
	}
	if _, ok := rds["byok/Fix"]; ok || !strings.HasPrefix(logs["byok/Fix"], "name the key by its key ARN") {
		t.Errorf("fix: compliant %q, non-compliant %q", rds["byok/Fix"], logs["byok/Fix"])
	}
}
