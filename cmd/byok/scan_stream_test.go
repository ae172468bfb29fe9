package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// TestScanOutReplacedOnlyOnCompletion: a scan that fails (the estate
// aliases cannot be listed in the Security account) leaves an earlier
// --out report as it was and no temporary file beside it; the next scan
// that completes replaces it.
func TestScanOutReplacedOnlyOnCompletion(t *testing.T) {
	fx := newFixture(t)
	fx.bucket(fxDev, "dev-good", s3types.ServerSideEncryptionAwsKms, fx.keys["alias/dev/s3"])
	dir := t.TempDir()
	out := filepath.Join(dir, "report.csv")
	if err := os.WriteFile(out, []byte("earlier report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fx.sb.SetFaults([]faults.Rule{{Service: "kms", Operation: "ListAliases", Account: fxSec,
		Code: "AccessDeniedException", Status: 400, Message: "not authorized to perform kms:ListAliases"}}, false)
	code, _, stderr := cliRun(t, "scan", "--estate", fx.estateFile, "--format", "csv", "--out", out, "--accounts", fxDev)
	if code != scanExitIncomplete || !strings.Contains(stderr, "ListAliases") {
		t.Fatalf("exit %d, want %d naming ListAliases:\n%s", code, scanExitIncomplete, stderr)
	}
	if raw, _ := os.ReadFile(out); string(raw) != "earlier report\n" {
		t.Fatalf("a failed scan changed --out:\n%s", raw)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("a failed scan left %d files in --out's directory", len(entries))
	}
	fx.sb.SetFaults(nil, false)
	if code, _, stderr = cliRun(t, "scan", "--estate", fx.estateFile, "--format", "csv", "--out", out, "--accounts", fxDev); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	raw, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(raw), "account,region,") || !strings.Contains(string(raw), "dev-good") {
		t.Fatalf("the completed scan did not replace --out:\n%s", raw)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("--out mode %v (%v), want 0644", st.Mode(), err)
	}
}
