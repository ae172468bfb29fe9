package main

import (
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// TestWatchRunLeavesOutOwnCalls: with every ImportKeyMaterial answer lost
// once (the call takes effect, the answer is a 500, the SDK retries and
// KMS refuses the retry), the run ends correct; `byok watch --run`, the
// follow-up every run prints, then judges consumers only, as the run's
// watch step does: byok's own refused retries are not failures (exit 0).
// A plain `watch --key` still shows them (it knows no run).
func TestWatchRunLeavesOutOwnCalls(t *testing.T) {
	w := newRotWorld(t, nil)
	w.sb.SetFaults([]faults.Rule{{Service: "kms", Operation: "ImportKeyMaterial", Code: "InternalFailure", Status: 500,
		Probability: 1, After: true, Count: 1}}, false)
	code, out := w.inproc("rotate", "--key", rotAlias, "--yes", "--watch", "0s")
	if code != 0 {
		t.Fatalf("rotate exit %d:\n%s", code, out)
	}
	run := w.lastRun(t).String()
	code, out = w.inproc("watch", "--run", run, "--format", "json")
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "[]") {
		t.Fatalf("watch --run %s: exit %d, want 0 and no failures (the retries were byok's own):\n%s", run, code, out)
	}
	code, out = w.inproc("watch", "--key", rotAlias, "--format", "json")
	if code != exitFindings || !strings.Contains(out, "ImportKeyMaterial") {
		t.Fatalf("watch --key: exit %d, want %d listing the refused ImportKeyMaterial retry:\n%s", code, exitFindings, out)
	}
}
