package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestScanSandboxASFFAndDiff: ASFF output parses with Security Hub's
// required fields; two saved scans diff into newly non-compliant, fixed,
// new and gone resources.
func TestScanSandboxASFFAndDiff(t *testing.T) {
	fx := newFixture(t)
	seedScanResources(fx)
	out := filepath.Join(t.TempDir(), "asff.json")
	code, _, stderr := cliRun(t, "scan", "--estate", fx.estateFile, "--format", "asff", "--out", out, "--save")
	if code != scanExitNonCompliant {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	assertASFF(t, out)

	fx.setBucketKey(fxDev, "dev-alias", s3types.ServerSideEncryptionAwsKms, fx.keys["alias/dev/s3"])              // fixed
	fx.setBucketKey(fxDev, "dev-good", s3types.ServerSideEncryptionAes256, "")                                    // newly non-compliant
	fx.bucket(fxDev, "dev-new", s3types.ServerSideEncryptionAwsKms, fx.keys["alias/dev/s3"])                      // new
	_, err := fx.ddb(fxDev).DeleteTable(fx.ctx, &dynamodb.DeleteTableInput{TableName: aws.String("dev-default")}) // gone
	fx.check("delete table", err)
	_, err = fx.kms(fxSec).EnableKey(fx.ctx, &kms.EnableKeyInput{KeyId: aws.String(fx.keys["alias/stage/s3"])}) // fixed
	fx.check("enable key", err)
	if code, _, stderr = cliRun(t, "scan", "--estate", fx.estateFile, "--format", "csv", "--out", filepath.Join(t.TempDir(), "r.csv"), "--save"); code != scanExitNonCompliant {
		t.Fatalf("second scan: exit %d; stderr:\n%s", code, stderr)
	}
	assertDiff(t)
	if code, _, stderr = cliRun(t, "findings", "diff", "--exit-code"); code != exitFindings || !strings.Contains(stderr, "1 resource(s) became NON_COMPLIANT") {
		t.Fatalf("findings diff --exit-code after a resource became non-compliant: exit %d\n%s", code, stderr)
	}
	if code, _, stderr = cliRun(t, "scan", "--estate", fx.estateFile, "--format", "json", "--out", filepath.Join(t.TempDir(), "r.json"), "--save"); code != scanExitNonCompliant {
		t.Fatalf("third scan: exit %d; stderr:\n%s", code, stderr)
	}
	if code, stdout, stderr := cliRun(t, "findings", "diff", "--exit-code", "--format", "json"); code != exitOK || strings.Contains(stdout, "null") {
		t.Fatalf("findings diff --exit-code of two scans of the same state: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestScanJSONIsData: a finding's key facts are JSON fields, and two
// scans of the same state give the same results, detail included.
func TestScanJSONIsData(t *testing.T) {
	fx := newFixture(t)
	seedScanResources(fx)
	scan := func() []map[string]any {
		code, stdout, stderr := cliRun(t, "scan", "--estate", fx.estateFile, "--format", "json")
		if code != scanExitNonCompliant {
			t.Fatalf("scan: exit %d\n%s", code, stderr)
		}
		var doc struct {
			Results []map[string]any `json:"results"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Results
	}
	first, second := scan(), scan()
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if string(a) != string(b) {
		t.Fatalf("two scans of the same state differ:\n%s\n%s", a, b)
	}
	withKey := 0
	for _, r := range first {
		if r["verdict"] == "NON_COMPLIANT" && (r["severity"] == nil || r["fix"] == nil) {
			t.Errorf("%v: non-compliant without severity or fix", r["resource_name"])
		}
		if r["material_id"] == nil {
			continue
		}
		withKey++
		alias, _ := r["alias"].(string)
		estateKey := r["reason"] == "KEY_COMPLIANT" || r["reason"] == "MATERIAL_OVERDUE"
		if estateKey && !strings.HasPrefix(alias, "alias/") || r["material_age_days"] == nil || r["key_arn"] == nil {
			t.Errorf("%v: key fields %v %v %v", r["resource_name"], r["alias"], r["material_age_days"], r["key_arn"])
		}
	}
	if withKey == 0 {
		t.Fatal("no result carries key fields")
	}
}

// assertDiff checks byok findings diff after the changes made by
// TestScanSandboxASFFAndDiff.
func assertDiff(t *testing.T) {
	t.Helper()
	code, stdout, stderr := cliRun(t, "findings", "diff", "--format", "json")
	if code != 0 {
		t.Fatalf("findings diff: exit %d; stderr:\n%s", code, stderr)
	}
	var d diffJSON
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatalf("findings diff json: %v\n%s", err, stdout)
	}
	names := func(fs []findingJSON) string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Name)
		}
		return strings.Join(out, ",")
	}
	afters := func(cs []changeJSON) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.After.Name+"="+c.After.Reason)
		}
		return strings.Join(out, ",")
	}
	checks := map[string][2]string{
		"newly non-compliant": {afters(d.NewlyNonCompliant), "dev-good=NOT_KMS_ENCRYPTED"},
		"fixed":               {afters(d.Fixed), "dev-alias=KEY_COMPLIANT,stage-disabled=KEY_COMPLIANT"},
		"changed":             {afters(d.Changed), ""},
		"new":                 {names(d.New), "dev-new"},
		"gone":                {names(d.Gone), "dev-default"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", what, c[0], c[1])
		}
	}
	if code, stdout, _ = cliRun(t, "findings", "diff"); code != 0 || !strings.Contains(stdout, "Newly non-compliant: 1") || !strings.Contains(stdout, "Gone: 1") {
		t.Errorf("findings diff table: exit %d\n%s", code, stdout)
	}
}

// assertASFF checks that the ASFF file parses as a list of findings with
// the fields Security Hub requires set.
func assertASFF(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var findings []map[string]any
	if err := json.Unmarshal(raw, &findings); err != nil {
		t.Fatalf("asff output does not parse: %v", err)
	}
	if len(findings) == 0 {
		t.Fatal("asff output has no findings")
	}
	required := []string{"SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types",
		"CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Resources"}
	for _, f := range findings {
		for _, k := range required {
			if v, ok := f[k]; !ok || v == nil || v == "" {
				t.Fatalf("finding %v lacks %s", f["Id"], k)
			}
		}
	}
}
