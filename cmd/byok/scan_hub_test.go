package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/byok-dev/byok/internal/compliance"
)

// hubView is the part of `byok scan --format json` this test reads.
type hubView struct {
	Results []struct {
		Account     string `json:"account"`
		Region      string `json:"region"`
		ResourceARN string `json:"resource_arn"`
		Name        string `json:"resource_name"`
		Verdict     string `json:"verdict"`
	} `json:"results"`
}

// nonCompliantIDs are the finding Ids of the scan's NON_COMPLIANT results
// (byok/<account>/<region>/<resource ARN>/kms-byok-rotation, the stable Id
// report's ASFF builder gives them).
func nonCompliantIDs(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v hubView
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range v.Results {
		if r.Verdict == compliance.NonCompliant.String() {
			ids = append(ids, "byok/"+r.Account+"/"+r.Region+"/"+r.ResourceARN+"/kms-byok-rotation")
		}
	}
	slices.Sort(ids)
	return ids
}

// hubFindings lists the byok findings in Security Hub of every estate
// account by RecordState.
func hubFindings(t *testing.T, fx *fixture) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, acct := range []string{fxSec, fxDev, fxProd, fxStage} {
		p := securityhub.NewGetFindingsPaginator(securityhub.NewFromConfig(fx.cfg(acct)), &securityhub.GetFindingsInput{
			Filters: &shtypes.AwsSecurityFindingFilters{GeneratorId: []shtypes.StringFilter{{Value: aws.String("byok/kms-byok-rotation-policy"), Comparison: shtypes.StringFilterComparisonEquals}}}})
		for p.HasMorePages() {
			page, err := p.NextPage(fx.ctx)
			fx.check("get findings", err)
			for _, f := range page.Findings {
				out[string(f.RecordState)] = append(out[string(f.RecordState)], aws.ToString(f.Id))
			}
		}
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

// Acceptance (issue 14): after scan --to-security-hub Security Hub holds
// exactly the scan's NON_COMPLIANT findings; after a resource is fixed,
// the next scan archives its finding.
func TestScanToSecurityHub(t *testing.T) {
	fx := newFixture(t)
	seedScanResources(fx)
	out := t.TempDir() + "/scan.json"
	code, _, stderr := cliRun(t, "scan", "--estate", fx.estateFile, "--format", "json", "--out", out, "--to-security-hub")
	if code != scanExitNonCompliant || !strings.Contains(stderr, "security hub: ") {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, scanExitNonCompliant, stderr)
	}
	want := nonCompliantIDs(t, out)
	if len(want) < 10 {
		t.Fatalf("only %d non-compliant results", len(want))
	}
	got := hubFindings(t, fx)
	if !slices.Equal(got["ACTIVE"], want) || len(got["ARCHIVED"]) != 0 {
		t.Fatalf("Security Hub ACTIVE %q ARCHIVED %q,\nwant ACTIVE %q", got["ACTIVE"], got["ARCHIVED"], want)
	}

	// Fix dev-sse-s3: default encryption with the estate key.
	fx.setBucketKey(fxDev, "dev-sse-s3", s3types.ServerSideEncryptionAwsKms, fx.keys["alias/dev/s3"])
	code, _, stderr = cliRun(t, "scan", "--estate", fx.estateFile, "--format", "json", "--out", out, "--to-security-hub")
	if code != scanExitNonCompliant || !strings.Contains(stderr, "1 archived") {
		t.Fatalf("second scan: exit %d; stderr:\n%s", code, stderr)
	}
	fixed := "byok/" + fxDev + "/" + fxRegion + "/arn:aws:s3:::dev-sse-s3/kms-byok-rotation"
	got = hubFindings(t, fx)
	if want := nonCompliantIDs(t, out); !slices.Equal(got["ACTIVE"], want) || slices.Contains(want, fixed) {
		t.Fatalf("after the fix: ACTIVE %q, want %q (without %s)", got["ACTIVE"], want, fixed)
	}
	if !slices.Equal(got["ARCHIVED"], []string{fixed}) {
		t.Fatalf("ARCHIVED %q, want only %s", got["ARCHIVED"], fixed)
	}
}
