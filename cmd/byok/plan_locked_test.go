package main

import (
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/store"
)

// TestPlanShowsLockedKey: after a rotation is killed mid-run, `byok plan`
// refuses the key as locked by that run and names the command that
// continues it (not "pending material of another run"); after the resume
// the key plans again.
func TestPlanShowsLockedKey(t *testing.T) {
	rotShm(t)
	w := newRotWorld(t, nil)
	w.killAndResume(t, "import:after", func(id store.RunID, _ string) {
		code, out := w.inproc("plan", "--key", rotAlias, "--format", "json")
		if code != 0 || !strings.Contains(out, "locked by unfinished run "+id.String()) || !strings.Contains(out, "byok resume "+id.String()) {
			t.Fatalf("plan after the kill: exit %d, want the key refused as locked by %s with the resume command:\n%s", code, id, out)
		}
	})
	if code, out := w.inproc("plan", "--key", rotAlias, "--format", "json"); code != 0 || strings.Contains(out, "locked by") {
		t.Fatalf("plan after the resume: exit %d, want no lock:\n%s", code, out)
	}
}
