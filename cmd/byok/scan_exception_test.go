package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// An exception in byok.yaml: its resource is EXEMPTED (counted apart, the
// exception's fields in JSON, exit 0 when nothing else fails); an expired
// one leaves its resource NON_COMPLIANT and estate validate warns.
func TestScanExceptions(t *testing.T) {
	fx := newFixture(t)
	fx.bucket(fxDev, "dev-good", s3types.ServerSideEncryptionAwsKms, fx.keys["alias/dev/s3"])
	fx.bucket(fxDev, "legacy-a", s3types.ServerSideEncryptionAes256, "")
	fx.bucket(fxDev, "legacy-b", s3types.ServerSideEncryptionAes256, "")
	today := time.Now().UTC()
	exceptions := "exceptions:\n" +
		"  - resource: \"arn:aws:s3:::legacy-a\"\n    reason: \"appliance re-encrypts in Q3\"\n    approver: ciso@example.com\n" +
		"    expires: " + today.AddDate(0, 0, 1).Format(time.DateOnly) + "\n" +
		"  - resource: \"arn:aws:s3:::legacy-b*\"\n    reason: \"old approval\"\n    approver: ciso@example.com\n" +
		"    expires: " + today.AddDate(0, 0, -1).Format(time.DateOnly) + "\n"
	if err := os.WriteFile(fx.estateFile, []byte(fxEstateYAML+exceptions), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cliRun(t, "estate", "validate", fx.estateFile)
	if code != 0 || !strings.Contains(stderr, "exceptions[1]: expired on") || strings.Contains(stderr, "exceptions[0]") {
		t.Fatalf("estate validate: exit %d\n%s%s", code, stdout, stderr)
	}
	code, rep, stderr := scanToJSON(t, fx, "--accounts", fxDev)
	if code != scanExitNonCompliant {
		t.Fatalf("exit %d, want %d (legacy-b's exception expired)\n%s", code, scanExitNonCompliant, stderr)
	}
	got := map[string]string{}
	for _, r := range rep.Results {
		got[r.ResourceName] = r.Verdict
	}
	if got["legacy-a"] != "EXEMPTED" || got["legacy-b"] != "NON_COMPLIANT" || got["dev-good"] != "COMPLIANT" {
		t.Fatalf("verdicts %v", got)
	}

	// legacy-b fixed: only EXEMPTED and COMPLIANT remain, exit 0, and the
	// JSON carries the exception and counts EXEMPTED apart.
	fx.setBucketKey(fxDev, "legacy-b", s3types.ServerSideEncryptionAwsKms, fx.keys["alias/dev/s3"])
	code, stdout, stderr = cliRun(t, "scan", "--estate", fx.estateFile, "--accounts", fxDev, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d, want 0 with only EXEMPTED and COMPLIANT\n%s", code, stderr)
	}
	var v struct {
		Summary struct {
			ByVerdict map[string]int `json:"by_verdict"`
		} `json:"summary"`
		Results []struct {
			Name      string `json:"resource_name"`
			Exception *struct {
				Resource, Reason, Approver, Expires string
				Expired                             bool
			} `json:"exception"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatal(err)
	}
	if v.Summary.ByVerdict["EXEMPTED"] != 1 || v.Summary.ByVerdict["COMPLIANT"] != 2 {
		t.Fatalf("summary %v", v.Summary.ByVerdict)
	}
	for _, r := range v.Results {
		if r.Name == "legacy-a" && (r.Exception == nil || r.Exception.Approver != "ciso@example.com" || r.Exception.Expired ||
			r.Exception.Expires != today.AddDate(0, 0, 1).Format(time.DateOnly)) {
			t.Fatalf("legacy-a exception %+v", r.Exception)
		}
	}
}
