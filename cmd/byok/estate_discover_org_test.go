package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// TestDiscoverOrgAccessDenied: the Security account is a plain member of
// an organisation (neither its management account nor a delegated
// administrator), so ListAccounts is AccessDeniedException. discover --org
// still writes a draft that validates, without account names, and says
// why on stderr.
func TestDiscoverOrgAccessDenied(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	dir := discoverEnv(t, sb)
	if err := sb.AddAccount("999999999999", "management"); err != nil {
		t.Fatal(err)
	}
	if err := sb.SetOrganization("999999999999", []string{"111111111111", "222222222222", "333333333333"}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "byok.yaml")
	code, stdout, stderr := cliRun(t, "estate", "discover", "--regions", "eu-west-1,eu-central-1", "--out", out, "--org")
	if code != exitOK && code != exitFindings {
		t.Fatalf("discover --org as a plain member: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"AccessDeniedException", "continuing without account names"} {
		if !strings.Contains(stderr, want) {
			t.Fatalf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(text), "Organizations:") {
		t.Fatalf("draft names accounts it could not read:\n%s", text)
	}
	if c, o, e := cliRun(t, "estate", "validate", out); c != exitOK {
		t.Fatalf("estate validate of the draft: exit %d\n%s\n%s", c, o, e)
	}
}
