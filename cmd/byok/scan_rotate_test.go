package main

import (
	"testing"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
)

// TestScanAfterRotateDue: the same scan reports the formerly overdue
// resource COMPLIANT after `byok rotate --due` in place. The resource on
// the key whose material expires stays MATERIAL_EXPIRING: rotation adds a
// new current material, but the old one keeps its ValidTo, and KMS makes
// the whole key unusable when any of its materials expires.
func TestScanAfterRotateDue(t *testing.T) {
	rotShm(t)
	tok := hsmtest.NewSoftHSM(t)
	fx := newFixture(t)
	t.Setenv("BYOK_HSM", tok.URI)
	fx.instance(fxDev, "dev-old", true, fx.keys["alias/dev/rds"])
	fx.table(fxDev, "dev-expiring", kmsSSE(fx.keys["alias/dev/dynamodb"]))
	fx.bucket(fxDev, "dev-good", "aws:kms", fx.keys["alias/dev/s3"])
	expect := func(step string, want map[string]compliance.Reason) {
		t.Helper()
		_, rep, stderr := scanToJSON(t, fx, "--accounts", fxDev)
		if len(rep.Scan.Errors) > 0 {
			t.Fatalf("%s: scan errors %s\n%s", step, rep.Scan.Errors, stderr)
		}
		got := map[string]string{}
		for _, r := range rep.Results {
			got[r.ResourceName] = r.Reason + ": " + r.Detail
		}
		for name, reason := range want {
			if r := got[name]; len(r) < len(reason) || r[:len(reason)+1] != string(reason)+":" {
				t.Errorf("%s: %s is %q, want %s", step, name, r, reason)
			}
		}
	}
	expect("before", map[string]compliance.Reason{"dev-old": compliance.ReasonMaterialOverdue,
		"dev-expiring": compliance.ReasonMaterialExpiring, "dev-good": compliance.ReasonCompliant})
	if code, out, errOut := scanRun(t, "rotate", "--estate", fx.estateFile, "--due", "--yes", "--change-ref", "CHG-scan"); code != 0 {
		t.Fatalf("rotate --due: exit %d\n%s\n%s", code, out, errOut)
	}
	expect("after rotate --due", map[string]compliance.Reason{"dev-old": compliance.ReasonCompliant,
		"dev-expiring": compliance.ReasonMaterialExpiring, "dev-good": compliance.ReasonCompliant})
}
