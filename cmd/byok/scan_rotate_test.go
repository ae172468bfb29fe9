package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
)

// TestScanAfterRotateDue: `byok rotate --due` fixes what it can and says
// what it cannot, and the same scan agrees.
//   - dev-old (current material 400 days old) is rotated in place;
//   - dev-good's key material was imported by byok and now expires in 10
//     days: a rotation would not help (the old material keeps its
//     ValidTo, and if any material expires the whole key stops working),
//     so --due re-imports that same material from its HSM object without
//     expiry, and the key is not rotated;
//   - dev-expiring's material came from elsewhere (the seed's HSM): byok
//     cannot find its HSM object, so --due leaves it, names it with the
//     operator's remedy and exits non-zero; the scan still says
//     MATERIAL_EXPIRING.
func TestScanAfterRotateDue(t *testing.T) {
	rotShm(t)
	tok := hsmtest.NewSoftHSM(t)
	fx := newFixture(t)
	t.Setenv("BYOK_HSM", tok.URI)
	fx.instance(fxDev, "dev-old", true, fx.keys["alias/dev/rds"])
	fx.table(fxDev, "dev-expiring", kmsSSE(fx.keys["alias/dev/dynamodb"]))
	fx.bucket(fxDev, "dev-good", "aws:kms", fx.keys["alias/dev/s3"])
	byokMaterial := fx.byokExpiring(t, "alias/dev/s3")
	foreign := fx.currentMaterial(t, "alias/dev/dynamodb")
	expectScan(t, fx, "before", map[string]compliance.Reason{"dev-old": compliance.ReasonMaterialOverdue,
		"dev-expiring": compliance.ReasonMaterialExpiring, "dev-good": compliance.ReasonMaterialExpiring})

	code, out, errOut := cliRun(t, "plan", "--estate", fx.estateFile, "--env", "dev")
	if code != 0 || !strings.Contains(out, "byok import --estate "+fx.estateFile+" --key alias/dev/s3 --reimport --material-id "+byokMaterial) ||
		!strings.Contains(out, "OPERATOR ACTION") || !strings.Contains(out, "KeyMaterialId "+foreign) {
		t.Fatalf("byok plan: exit %d, want the re-import command for %s and the operator action for %s\n%s\n%s", code, byokMaterial, foreign, out, errOut)
	}
	assertPlanJSON(t, fx)
	s3Rotations := fx.rotations(t, "alias/dev/s3")

	code, out, errOut = cliRun(t, "rotate", "--estate", fx.estateFile, "--due", "--yes", "--change-ref", "CHG-scan")
	if code == 0 || !strings.Contains(errOut+out, "that byok did not import is left as it was") {
		t.Fatalf("rotate --due: exit %d, want non-zero naming the material byok cannot re-import\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "re-imported alias/dev/s3 material "+byokMaterial+" without expiry") {
		t.Fatalf("rotate --due did not report the re-import\n%s\n%s", out, errOut)
	}
	expectScan(t, fx, "after rotate --due", map[string]compliance.Reason{"dev-old": compliance.ReasonCompliant,
		"dev-expiring": compliance.ReasonMaterialExpiring, "dev-good": compliance.ReasonCompliant})
	if got := fx.currentMaterial(t, "alias/dev/s3"); got != byokMaterial || fx.rotations(t, "alias/dev/s3") != s3Rotations {
		t.Errorf("the only-expiring key was rotated: current %s (was %s)", got, byokMaterial)
	}
	if got := fx.currentMaterial(t, "alias/dev/dynamodb"); got != foreign {
		t.Errorf("the foreign material's key changed: current %s, was %s", got, foreign)
	}
	code, out, _ = cliRun(t, "audit", "show")
	if code != 0 || strings.Count(out, "reimport") != 1 {
		t.Errorf("audit show: exit %d, want exactly one reimport entry\n%s", code, out)
	}
}

// expectScan scans dev and checks each named resource's reason.
func expectScan(t *testing.T, fx *fixture, step string, want map[string]compliance.Reason) {
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
		if r := got[name]; !strings.HasPrefix(r, string(reason)+":") {
			t.Errorf("%s: %s is %q, want %s", step, name, r, reason)
		}
	}
}

// byokExpiring gives alias material byok imported that expires in 10
// days, as an operator could have: a byok rotation (so the current
// material is byok's), then `byok import --reimport --valid-for 240h`.
func (fx *fixture) byokExpiring(t *testing.T, alias string) string {
	t.Helper()
	if code, out, errOut := cliRun(t, "rotate", "--estate", fx.estateFile, "--key", alias, "--yes"); code != 0 {
		t.Fatalf("rotate %s: exit %d\n%s\n%s", alias, code, out, errOut)
	}
	if code, out, errOut := cliRun(t, "import", "--estate", fx.estateFile, "--key", alias, "--reimport", "--valid-for", "240h", "--yes"); code != 0 {
		t.Fatalf("import --reimport --valid-for: exit %d\n%s\n%s", code, out, errOut)
	}
	return fx.currentMaterial(t, alias)
}

func (fx *fixture) currentMaterial(t *testing.T, alias string) string {
	t.Helper()
	d, err := fx.kms(fxSec).DescribeKey(fx.ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(d.KeyMetadata.CurrentKeyMaterialId)
}

// rotations counts the key's materials (one more after each rotation).
func (fx *fixture) rotations(t *testing.T, alias string) int {
	t.Helper()
	out, err := fx.kms(fxSec).ListKeyRotations(context.Background(), &kms.ListKeyRotationsInput{KeyId: aws.String(fx.keys[alias]),
		IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Rotations)
}

// assertPlanJSON: plan --format json says per alias what the table says,
// and --exit-code exits 2 because keys are due.
func assertPlanJSON(t *testing.T, fx *fixture) {
	t.Helper()
	code, out, errOut := cliRun(t, "plan", "--estate", fx.estateFile, "--env", "dev", "--format", "json", "--exit-code")
	if code != exitFindings {
		t.Fatalf("plan --exit-code with due keys: exit %d\n%s", code, errOut)
	}
	var plans []planJSON
	if err := json.Unmarshal([]byte(out), &plans); err != nil {
		t.Fatalf("plan --format json: %v\n%s", err, out)
	}
	got := map[string]planJSON{}
	for _, p := range plans {
		got[p.Alias] = p
	}
	if p := got["alias/dev/rds"]; !p.Due || p.MaterialAgeDays < 400 || len(p.Steps) == 0 || p.KeyARN == "" {
		t.Errorf("alias/dev/rds: %+v, want due, 400+ days, steps", p)
	}
	if p := got["alias/dev/s3"]; !p.Reimport || p.Due || p.EarliestValidTo == "" {
		t.Errorf("alias/dev/s3: %+v, want a re-import, not a rotation", p)
	}
}
