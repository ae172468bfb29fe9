package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// rollbackAlias is a single-Region key (new-key refuses multi-Region).
const rollbackAlias = "alias/dev/s3"

// TestRollbackKillAtEveryStep: byok rollback of a new-key run is a
// journaled run of the rollback procedure. Its dry run lists exactly the
// steps the run journals; SIGKILLed at every boundary (request, admission,
// each step before/after, and after the alias moved or the audit entry
// was written but before the journal says so), byok resume finishes it:
// the alias is on the old key, one audit entry with outcome rolled-back,
// the new-key run shows rolled-back in runs list, and a second rollback is
// a no-op that says so with exit 0.
func TestRollbackKillAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	rotShm(t)
	tok := newRotWorldSeeded(t, nil, dueKillOpts()).tok
	fps := []string{"request:after", "admit:after", "rollback:unrecorded", "record:unrecorded"}
	for _, step := range rotation.Steps(rotation.RollbackStrategy, false) {
		fps = append(fps, step.String()+":before", step.String()+":after")
	}
	for i, fp := range fps {
		t.Run(fp, func(t *testing.T) {
			w := newRotWorldSeeded(t, tok, dueKillOpts())
			orig, oldARN := w.newKeyRun(t)
			if i == 0 {
				w.checkRollbackDryRun(t, orig)
			}
			_, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=" + fp}, "rollback", orig.String(), "--yes")
			if !killed {
				t.Fatalf("failpoint %s did not kill byok rollback:\n%s", fp, out)
			}
			rb := w.lastRun(t)
			if rb == orig {
				t.Fatalf("no rollback run recorded before the kill at %s", fp)
			}
			if code, _, out := w.exec(t, nil, "resume", rb.String()); code != 0 {
				t.Fatalf("byok resume %s: exit %d\n%s", rb, code, out)
			}
			w.checkRollbackEnd(t, orig, rb, oldARN)
		})
	}
}

// newKeyRun rotates rollbackAlias to a new key and returns the run and
// the old key.
func (w *rotWorld) newKeyRun(t *testing.T) (store.RunID, string) {
	t.Helper()
	oldARN := w.aliasTarget(t, rollbackAlias)
	if code, _, out := w.exec(t, nil, "rotate", "--key", rollbackAlias, "--strategy", "new-key", "--yes"); code != 0 {
		t.Fatalf("new-key rotation: exit %d\n%s", code, out)
	}
	if w.aliasTarget(t, rollbackAlias) == oldARN {
		t.Fatal("new-key rotation did not move the alias")
	}
	return w.lastRun(t), oldARN
}

func (w *rotWorld) aliasTarget(t *testing.T, alias string) string {
	t.Helper()
	d, err := w.kms("eu-west-1").DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(d.KeyMetadata.Arn)
}

// checkRollbackDryRun: --dry-run changes nothing and lists the one key
// with the rollback procedure's steps.
func (w *rotWorld) checkRollbackDryRun(t *testing.T, orig store.RunID) {
	t.Helper()
	before := w.aliasTarget(t, rollbackAlias)
	code, out := w.inproc("rollback", orig.String(), "--dry-run", "--format", "json")
	sp, err := rotation.ParseSavedPlan([]byte(out))
	want := rotation.Steps(rotation.RollbackStrategy, false)
	if code != 0 || err != nil || len(sp.Keys) != 1 || sp.Target != orig || len(sp.Keys[0].Steps) != len(want) {
		t.Fatalf("rollback --dry-run: exit %d, %v\n%s", code, err, out)
	}
	if w.aliasTarget(t, rollbackAlias) != before || w.lastRun(t) != orig {
		t.Fatal("rollback --dry-run changed something")
	}
}

func (w *rotWorld) checkRollbackEnd(t *testing.T, orig, rb store.RunID, oldARN string) {
	t.Helper()
	ctx := context.Background()
	if got := w.aliasTarget(t, rollbackAlias); got != oldARN {
		t.Errorf("alias targets %s after the rollback, want %s", got, oldARN)
	}
	st, err := store.Open(ctx, w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := st.GetRun(ctx, orig)
	r, _ := st.GetRun(ctx, rb)
	evs, _ := st.Journal(ctx, rb)
	l, err := audit.Open(ctx, st)
	var es []audit.Entry
	if err == nil {
		es, err = l.List(ctx)
	}
	st.Close()
	if err != nil || o.Status != store.StatusRolledBack || r.Status != store.StatusSucceeded || r.Target != orig {
		t.Fatalf("original %s, rollback %s (target %s): %v", o.Status, r.Status, r.Target, err)
	}
	var ended []string
	for _, ev := range evs {
		if ev.Phase == store.PhaseEnd {
			ended = append(ended, ev.Step.String())
		}
	}
	if strings.Join(ended, ",") != "plan,rollback,verify,record,done" {
		t.Errorf("rollback journal %v", ended)
	}
	n := 0
	for _, e := range es {
		if e.RunID == rb.String() && e.Outcome == audit.OutcomeRolledBack && e.KeyARN == oldARN {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d rolled-back audit entries, want 1", n)
	}
	if code, out := w.inproc("runs", "list"); code != 0 || !strings.Contains(out, "rolled-back") {
		t.Errorf("runs list: exit %d, want the run rolled-back:\n%s", code, out)
	}
	if code, out := w.inproc("rollback", orig.String(), "--yes"); code != 0 || !strings.Contains(out, "already rolled back by run "+rb.String()+"; nothing to do") {
		t.Errorf("second rollback: exit %d\n%s", code, out)
	}
	if code, out := w.inproc("audit", "verify"); code != 0 {
		t.Errorf("audit verify: exit %d\n%s", code, out)
	}
}
