package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

const rotAlias = "alias/prod/dynamodb"

// rotKey is the seeded key the process tests rotate.
func (w *rotWorld) rotKey(t *testing.T) (arn, replicaARN string) {
	t.Helper()
	for _, k := range w.seeded.Keys {
		if k.Alias == rotAlias && len(k.Replicas) == 1 {
			return k.KeyARN, k.Replicas[0]
		}
	}
	t.Fatalf("seed made no multi-Region %s: %+v", rotAlias, w.seeded.Keys)
	return "", ""
}

// lastRun is the newest run in the state store.
func (w *rotWorld) lastRun(t *testing.T) store.RunID {
	t.Helper()
	st, err := store.Open(context.Background(), w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.ListRuns(context.Background())
	if err != nil || len(runs) == 0 {
		t.Fatalf("no run recorded: %v", err)
	}
	last := runs[0]
	for _, r := range runs {
		if r.Created.After(last.Created) {
			last = r
		}
	}
	return last.ID
}

// TestKillAtEveryStepBoundary SIGKILLs the real binary at each step
// boundary of an in-place rotation of a multi-Region key (BYOK_FAILPOINT),
// resumes the run, and checks the end state each time.
func TestKillAtEveryStepBoundary(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	rotShm(t)
	rotBinary(t)
	var tok = newRotWorld(t, nil).tok
	for _, step := range rotation.Steps(rotation.InPlace, true) {
		whens := []string{"before", "after"}
		switch step {
		case store.StepImport, store.StepImportReplicas, store.StepRotate, store.StepTag, store.StepRecord:
			whens = append(whens, "unrecorded") // KMS or the audit log changed, the journal does not know
		case store.StepHSMGenerate:
			// The object was generated without a label scan; the resume must
			// find it by label, never make a second (checkHSMObject).
			whens = append(whens, "unrecorded", "unjournaled")
		}
		for _, when := range whens {
			fp := step.String() + ":" + when
			t.Run(fp, func(t *testing.T) {
				w := newRotWorld(t, tok)
				w.killAndResume(t, fp, nil)
			})
		}
	}
}

// TestKillReimportAtEveryStepBoundary SIGKILLs the real binary at each
// step boundary of a re-import run (byok rotate --due re-importing the
// expiring material byok imported into a multi-Region key) and resumes it
// with byok resume. One world serves every boundary: each case gives the
// same material a ValidTo again first.
func TestKillReimportAtEveryStepBoundary(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	first := w.firstRotation(t)
	// the request journaled, nothing admitted; one key admitted
	for _, fp := range []string{"request:after", "admit:after"} {
		t.Run(fp, func(t *testing.T) { w.killAndResumeReimport(t, first, fp) })
	}
	for _, step := range rotation.Steps(rotation.Reimport, true) {
		whens := []string{"before", "after"}
		switch step {
		case store.StepImport, store.StepImportReplicas, store.StepRecord:
			whens = append(whens, "unrecorded") // KMS or the audit log changed, the journal does not know
		}
		for _, when := range whens {
			fp := step.String() + ":" + when
			t.Run(fp, func(t *testing.T) {
				w.killAndResumeReimport(t, first, fp)
			})
		}
	}
}

// TestResumeAfterImportTokenExpired kills the run right after the wrap,
// moves the sandbox clock past the token's 24 h, and resumes: the run must
// fetch new parameters and wrap the same HSM object again.
func TestResumeAfterImportTokenExpired(t *testing.T) {
	rotShm(t)
	w := newRotWorld(t, nil)
	var before store.RunKey
	w.killAndResume(t, "wrap:after", func(id store.RunID, arn string) {
		before = w.runKey(t, id, arn)
		w.sb.AdvanceClock(25 * time.Hour)
	})
	id := w.lastRun(t)
	arn, _ := w.rotKey(t)
	after := w.runKey(t, id, arn)
	if after.BlobSHA256 == before.BlobSHA256 || !after.ParametersValidTo.After(before.ParametersValidTo.Add(24*time.Hour)) {
		t.Fatalf("resume did not re-fetch and re-wrap: digest %s → %s, token valid to %v → %v",
			before.BlobSHA256, after.BlobSHA256, before.ParametersValidTo, after.ParametersValidTo)
	}
}

func (w *rotWorld) runKey(t *testing.T, id store.RunID, arn string) store.RunKey {
	t.Helper()
	st, err := store.Open(context.Background(), w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rk, err := st.GetRunKey(context.Background(), id, arn)
	if err != nil {
		t.Fatal(err)
	}
	return rk
}

// killAndResume rotates with the failpoint, expects SIGKILL, calls
// between (when set), resumes without the failpoint and checks the end.
func (w *rotWorld) killAndResume(t *testing.T, fp string, between func(store.RunID, string)) {
	t.Helper()
	arn, replica := w.rotKey(t)
	oldCur, oldMats := w.materials(t, arn, "eu-west-1")
	_, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=" + fp}, "rotate", "--key", rotAlias, "--yes", "--change-ref", "CHG-kill")
	if !killed {
		t.Fatalf("failpoint %s did not kill byok rotate:\n%s", fp, out)
	}
	id := w.lastRun(t)
	if between != nil {
		between(id, arn)
	}
	if code, _, out := w.exec(t, nil, "resume", id.String()); code != 0 {
		t.Fatalf("byok resume %s after kill at %s: exit %d\n%s", id, fp, code, out)
	}
	w.checkEnd(t, id, arn, replica, oldCur, len(oldMats))
}

// TestRotateInterrupted sends SIGINT (Ctrl-C) to a running byok rotate: it
// stops at a step boundary, exits 3 and says how to resume; the resume
// completes the rotation.
func TestRotateInterrupted(t *testing.T) {
	rotShm(t)
	w := newRotWorld(t, nil)
	arn, replica := w.rotKey(t)
	oldCur, oldMats := w.materials(t, arn, "eu-west-1")
	cmd := exec.Command(rotBinary(t), "rotate", "--key", rotAlias, "--yes")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.waitForStep(t, arn, store.StepImport)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	w.output.Write(out.Bytes())
	id := w.lastRun(t)
	if code := cmd.ProcessState.ExitCode(); code != 3 || !strings.Contains(out.String(), "byok resume "+id.String()) {
		t.Fatalf("interrupted rotate: exit %d, want 3 and a resume hint:\n%s", code, out.String())
	}
	if code, _, out := w.exec(t, nil, "resume", id.String()); code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, out)
	}
	w.checkEnd(t, id, arn, replica, oldCur, len(oldMats))
}

// waitForStep polls the journal until the run's key has begun step.
func (w *rotWorld) waitForStep(t *testing.T, arn string, step store.Step) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if st, err := store.Open(context.Background(), w.statePath); err == nil {
			runs, _ := st.ListRuns(context.Background())
			for _, r := range runs {
				if s, _, err := st.LastStep(context.Background(), r.ID, arn); err == nil && s >= step && s != store.StepCreateKey {
					st.Close()
					return
				}
			}
			st.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the run never reached %s", step)
}

func TestRotateCLIRefusals(t *testing.T) {
	rotShm(t)
	w := newRotWorld(t, nil)
	cases := map[string]struct {
		args []string
		want string
	}{
		"key outside the estate": {[]string{"rotate", "--key", "alias/dev/unknown", "--yes"}, "outside the estate is refused"},
		"no key chosen":          {[]string{"rotate", "--yes"}, "choose keys with --key"},
		"bad strategy":           {[]string{"rotate", "--key", rotAlias, "--strategy", "sideways", "--yes"}, "use in-place or new-key"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if code, out := w.inproc(c.args...); code == 0 || !strings.Contains(out, c.want) {
				t.Fatalf("byok %v: exit %d, want an error saying %q:\n%s", c.args, code, c.want, out)
			}
		})
	}
}
