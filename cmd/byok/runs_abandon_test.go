package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// TestRunsAbandon: a run stopped after its wrap (nothing in KMS yet) is
// abandoned: --dry-run changes nothing, the real one marks the run failed,
// releases its lock (a new rotation of the key is admitted) and audits the
// unfinished key. A run stopped after its import (material pending
// rotation in KMS) is refused with the resume hint, and keeps its lock.
func TestRunsAbandon(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	arn, _ := w.rotKey(t)
	if _, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=wrap:after"}, "rotate", "--key", rotAlias, "--yes"); !killed {
		t.Fatalf("failpoint did not kill byok rotate:\n%s", out)
	}
	id := w.lastRun(t)
	if code, out := w.inproc("runs", "abandon", id.String()); code != 64 || !strings.Contains(out, "--reason") {
		t.Fatalf("abandon without a reason: exit %d\n%s", code, out)
	}
	if code, out := w.inproc("runs", "abandon", "--reason", "HSM object lost", "--dry-run", id.String()); code != 0 || !strings.Contains(out, "would release 1 unfinished key") {
		t.Fatalf("abandon --dry-run: exit %d\n%s", code, out)
	}
	if r := w.run(t, id); r.Status.Finished() {
		t.Fatalf("--dry-run ended the run: %s", r.Status)
	}
	if code, out := w.inproc("runs", "abandon", id.String(), "--reason", "HSM object lost", "--yes"); code != 0 || !strings.Contains(out, "abandoned") {
		t.Fatalf("abandon: exit %d\n%s", code, out)
	}
	if r := w.run(t, id); r.Status != store.StatusFailed || !strings.Contains(r.Error, "HSM object lost") {
		t.Fatalf("abandoned run: %s %q", r.Status, r.Error)
	}
	w.checkAbandonAudit(t, id, arn)

	// the lock is free: the next run of the key is admitted and imports;
	// killed after its import, it cannot be abandoned
	if _, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=import:after"}, "rotate", "--key", rotAlias, "--yes"); !killed {
		t.Fatalf("second rotate was not admitted and killed at import:after:\n%s", out)
	}
	second := w.lastRun(t)
	code, out := w.inproc("runs", "abandon", second.String(), "--reason", "test", "--yes")
	if code == 0 || !strings.Contains(out, "byok resume "+second.String()) {
		t.Fatalf("abandon with material pending rotation: exit %d, want a refusal naming the resume\n%s", code, out)
	}
	if r := w.run(t, second); r.Status.Finished() {
		t.Fatalf("a refused abandon ended the run: %s", r.Status)
	}
}

func (w *rotWorld) checkAbandonAudit(t *testing.T, id store.RunID, arn string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.LockHolder(ctx, arn); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("abandoned run still holds %s: %v", arn, err)
	}
	l, err := audit.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	es, err := l.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.RunID == id.String() && e.KeyARN == arn && e.Outcome == audit.OutcomeFailed && strings.Contains(string(e.Verification), "HSM object lost") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d audit entries of the abandoned key, want 1: %+v", n, es)
	}
}
