package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// want is one resource's expected verdict and reason.
type want struct {
	account, name string
	reason        compliance.Reason
}

// seedScanResources creates at least one resource per reason, plus
// compliant ones, and puts keys into the states the reasons need.
func seedScanResources(fx *fixture) []want {
	k := fx.keys
	fx.instance(fxDev, "dev-plain", false, "")
	fx.instance(fxDev, "dev-old", true, k["alias/dev/rds"])
	foreign, err := fx.kms(fxDev).CreateKey(fx.ctx, &kms.CreateKeyInput{Description: aws.String("dev's own key")})
	fx.check("create dev key", err)
	fx.instance(fxDev, "dev-foreign", true, aws.ToString(foreign.KeyMetadata.Arn))
	fx.table(fxDev, "dev-default", nil)
	fx.table(fxDev, "dev-managed", kmsSSE(""))
	fx.table(fxDev, "dev-expiring", kmsSSE(k["alias/dev/dynamodb"]))
	fx.bucket(fxDev, "dev-good", s3types.ServerSideEncryptionAwsKms, k["alias/dev/s3"])
	fx.bucket(fxDev, "dev-alias", s3types.ServerSideEncryptionAwsKms, "alias/dev/s3")
	fx.bucket(fxDev, "dev-sse-s3", s3types.ServerSideEncryptionAes256, "")
	fx.legacyBucket(fxDev, "dev-legacy")

	fx.instance(fxProd, "prod-db", true, k["alias/prod/rds"])
	fx.aurora(fxProd, "prod-aurora", k["alias/prod/rds"])
	newRDS := fx.newKeyRotation("alias/prod/rds")
	fx.instance(fxProd, "prod-db-new", true, newRDS)
	fx.table(fxProd, "prod-orders", kmsSSE(k["alias/prod/dynamodb"]))
	fx.bucket(fxProd, "prod-assets", s3types.ServerSideEncryptionAwsKms, k["alias/prod/s3"])

	fx.bucket(fxStage, "stage-disabled", s3types.ServerSideEncryptionAwsKms, k["alias/stage/s3"])
	fx.instance(fxStage, "stage-deleting", true, k["alias/stage/rds"])
	fx.table(fxStage, "stage-pending", kmsSSE(k["alias/stage/dynamodb"]))
	sec := fx.kms(fxSec)
	_, err = sec.DisableKey(fx.ctx, &kms.DisableKeyInput{KeyId: aws.String(k["alias/stage/s3"])})
	fx.check("disable key", err)
	_, err = sec.ScheduleKeyDeletion(fx.ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(k["alias/stage/rds"]), PendingWindowInDays: aws.Int32(7)})
	fx.check("schedule key deletion", err)
	_, err = sec.DeleteImportedKeyMaterial(fx.ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(k["alias/stage/dynamodb"])})
	fx.check("delete imported key material", err)

	return []want{
		{fxDev, "dev-plain", compliance.ReasonUnencrypted},
		{fxDev, "dev-legacy", compliance.ReasonUnencrypted},
		{fxDev, "dev-sse-s3", compliance.ReasonNotKMS},
		{fxDev, "dev-default", compliance.ReasonNotKMS},
		{fxDev, "dev-managed", compliance.ReasonAWSManagedKey},
		{fxDev, "dev-foreign", compliance.ReasonKeyOutsideEstate},
		{fxDev, "dev-old", compliance.ReasonMaterialOverdue},
		{fxDev, "dev-expiring", compliance.ReasonMaterialExpiring},
		{fxDev, "dev-alias", compliance.ReasonAliasInOwnAccount},
		{fxDev, "dev-good", compliance.ReasonCompliant},
		{fxProd, "prod-db", compliance.ReasonKeySuperseded},
		{fxProd, "prod-aurora", compliance.ReasonKeySuperseded},
		{fxProd, "prod-aurora-1", compliance.ReasonKeySuperseded},
		{fxProd, "prod-db-new", compliance.ReasonCompliant},
		{fxProd, "prod-orders", compliance.ReasonCompliant},
		{fxProd, "prod-assets", compliance.ReasonCompliant},
		{fxStage, "stage-disabled", compliance.ReasonKeyDisabled},
		{fxStage, "stage-deleting", compliance.ReasonKeyPendingDeletion},
		{fxStage, "stage-pending", compliance.ReasonKeyPendingImport},
	}
}

// jsonReportView is the part of `byok scan --format json` the tests read.
type jsonReportView struct {
	Scan struct {
		Errors []json.RawMessage `json:"errors"`
	} `json:"scan"`
	Results []struct {
		Account      string `json:"account"`
		ResourceName string `json:"resource_name"`
		ResourceType string `json:"resource_type"`
		KeyARN       string `json:"key_arn"`
		Verdict      string `json:"verdict"`
		Reason       string `json:"reason"`
		Detail       string `json:"detail"`
	} `json:"results"`
}

func scanToJSON(t *testing.T, fx *fixture, extra ...string) (int, jsonReportView, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "scan.json")
	code, _, stderr := cliRun(t, append([]string{"scan", "--estate", fx.estateFile, "--format", "json", "--out", out}, extra...)...)
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("scan wrote no report (exit %d): %v\n%s", code, err, stderr)
	}
	var rep jsonReportView
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("scan --format json output does not parse: %v", err)
	}
	return code, rep, stderr
}

func TestScanSandboxEveryReason(t *testing.T) {
	fx := newFixture(t)
	wants := seedScanResources(fx)
	fx.sb.Counters().Reset()
	code, rep, stderr := scanToJSON(t, fx)
	if code != scanExitNonCompliant {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, scanExitNonCompliant, stderr)
	}
	if len(rep.Scan.Errors) != 0 {
		t.Fatalf("scan errors: %s", rep.Scan.Errors)
	}
	got := map[string]string{}
	for _, r := range rep.Results {
		got[r.Account+"/"+r.ResourceName] = r.Verdict + " " + r.Reason + ": " + r.Detail
	}
	for _, w := range wants {
		verdict := compliance.NonCompliant
		if w.reason == compliance.ReasonCompliant {
			verdict = compliance.Compliant
		}
		g, ok := got[w.account+"/"+w.name]
		if !ok {
			t.Errorf("%s/%s: not in the scan", w.account, w.name)
			continue
		}
		if !strings.HasPrefix(g, verdict.String()+" "+string(w.reason)+":") {
			t.Errorf("%s/%s: got %s, want %s %s", w.account, w.name, g, verdict, w.reason)
		}
	}
	if len(rep.Results) != len(wants) {
		t.Errorf("%d results, want %d: %v", len(rep.Results), len(wants), got)
	}
	assertOneReadPerKey(t, fx, rep)
	if !strings.Contains(stderr, "by reason:") || !strings.Contains(stderr, "account "+fxStage+":") {
		t.Errorf("no summary by reason and account on stderr:\n%s", stderr)
	}
}

// assertOneReadPerKey checks the sandbox's call counters: every distinct
// key (the estate aliases' targets and every key a result names) was
// described exactly once, and ListKeyRotations ran at most once per
// Security-account key.
func assertOneReadPerKey(t *testing.T, fx *fixture, rep jsonReportView) {
	t.Helper()
	keys := map[string]bool{}
	secKeys := 0
	add := func(arn string) {
		if arn != "" && !keys[arn] {
			keys[arn] = true
			if strings.Contains(arn, ":"+fxSec+":") {
				secKeys++
			}
		}
	}
	aliases, err := fx.kms(fxSec).ListAliases(fx.ctx, &kms.ListAliasesInput{})
	fx.check("list aliases", err)
	for _, a := range aliases.Aliases {
		if strings.HasPrefix(aws.ToString(a.AliasName), "alias/") && !strings.HasPrefix(aws.ToString(a.AliasName), "alias/aws/") {
			add("arn:aws:kms:" + fxRegion + ":" + fxSec + ":key/" + aws.ToString(a.TargetKeyId))
		}
	}
	for _, r := range rep.Results {
		add(r.KeyARN)
	}
	c := fx.sb.Counters()
	t.Logf("%d distinct keys (%d in the Security account): DescribeKey %d, ListKeyRotations %d, ListResourceTags %d, ListAliases %d",
		len(keys), secKeys, c.Total("kms", "DescribeKey"), c.Total("kms", "ListKeyRotations"), c.Total("kms", "ListResourceTags"), c.Total("kms", "ListAliases"))
	if got := c.Total("kms", "DescribeKey"); got != int64(len(keys)) {
		t.Errorf("DescribeKey called %d times for %d distinct keys", got, len(keys))
	}
	if got := c.Total("kms", "ListKeyRotations"); got > int64(secKeys) || got == 0 {
		t.Errorf("ListKeyRotations called %d times for %d Security-account keys", got, secKeys)
	}
}

// TestScanSandboxIncomplete: a listing that fails is reported, the rest
// is still judged, and the exit status follows scanDoc.
func TestScanSandboxIncomplete(t *testing.T) {
	fx := newFixture(t)
	fx.bucket(fxDev, "dev-good", s3types.ServerSideEncryptionAwsKms, fx.keys["alias/dev/s3"])
	fx.instance(fxStage, "stage-plain", false, "")
	fx.sb.SetFaults([]faults.Rule{{Service: "s3", Operation: "ListBuckets", Account: fxStage,
		Code: "AccessDenied", Status: 403, Message: "Access Denied"}}, false)
	cases := map[string]struct {
		args []string
		code int
	}{
		"non-compliant wins": {nil, scanExitNonCompliant},
		"fail-on none":       {[]string{"--fail-on", "none"}, scanExitIncomplete},
		"save refused":       {[]string{"--fail-on", "none", "--save"}, scanExitIncomplete},
		"only the good part": {[]string{"--accounts", fxDev}, 0},
		"only the bad part":  {[]string{"--accounts", fxStage, "--fail-on", "none"}, scanExitIncomplete},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, rep, stderr := scanToJSON(t, fx, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, stderr)
			}
			wantErrs := 1
			if name == "only the good part" {
				wantErrs = 0
			}
			if len(rep.Scan.Errors) != wantErrs {
				t.Fatalf("%d scan errors, want %d: %s", len(rep.Scan.Errors), wantErrs, rep.Scan.Errors)
			}
			if wantErrs > 0 && !strings.Contains(stderr, "incomplete: "+fxStage+" "+fxRegion+" s3") {
				t.Errorf("stderr does not name the failed listing:\n%s", stderr)
			}
			if strings.Contains(name, "save") && !strings.Contains(stderr, "not saved") {
				t.Errorf("an incomplete scan was saved:\n%s", stderr)
			}
		})
	}
	code, rep, _ := scanToJSON(t, fx, "--fail-on", "none")
	found := map[string]string{}
	for _, r := range rep.Results {
		found[r.ResourceName] = r.Reason
	}
	if code != scanExitIncomplete || found["dev-good"] != string(compliance.ReasonCompliant) || found["stage-plain"] != string(compliance.ReasonUnencrypted) {
		t.Fatalf("the readable results were not all reported: exit %d, %v", code, found)
	}
}
