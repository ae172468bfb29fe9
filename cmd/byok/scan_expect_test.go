package main

import (
	"strings"
	"testing"

	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestScanExpectedButNotFound: a consumer account with no resource in a
// Region where the estate keeps its keys is not "0 resources, exit 0": the
// scan exits 1 naming the account, the Region and why.
func TestScanExpectedButNotFound(t *testing.T) {
	fx := newFixture(t)
	fx.bucket(fxDev, "dev-good", s3types.ServerSideEncryptionAwsKms, fx.keys["alias/dev/s3"])
	if code, _, stderr := scanToJSON(t, fx, "--accounts", fxDev); code != 0 {
		t.Fatalf("account with a resource: exit %d:\n%s", code, stderr)
	}
	code, rep, stderr := scanToJSON(t, fx, "--accounts", fxStage, "--fail-on", "none")
	if code != scanExitIncomplete || len(rep.Results) != 0 ||
		!strings.Contains(stderr, "expected but not found: account "+fxStage+" Region "+fxRegion+": no resources") {
		t.Fatalf("empty account: exit %d (want %d), %d results; stderr:\n%s", code, scanExitIncomplete, len(rep.Results), stderr)
	}
}
