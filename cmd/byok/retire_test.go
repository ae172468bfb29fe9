package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/retire"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// newOldKey creates a key in the Security account that no alias names.
func (w *rotWorld) newOldKey(t *testing.T) string {
	t.Helper()
	out, err := w.kms(w.sb.Region()).CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("old key")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

func (w *rotWorld) keyState(t *testing.T, arn string) types.KeyState {
	t.Helper()
	d, err := w.kms(w.sb.Region()).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	return d.KeyMetadata.KeyState
}

// wantCode runs byok in this process and checks its exit code and output.
func (w *rotWorld) wantCode(t *testing.T, code int, want string, args ...string) string {
	t.Helper()
	got, out := w.inproc(args...)
	if got != code || !strings.Contains(out, want) {
		t.Fatalf("byok %s: exit %d, want %d and %q:\n%s", strings.Join(args, " "), got, code, want, out)
	}
	return out
}

// TestRetireCLI: a key in use is refused with exit 2, listing who used it
// (table and JSON); an unused one is disabled, a second retire says it
// already is (exit 0), --undo re-enables it, --schedule-deletion is
// refused for an enabled key and before --disabled-for, then schedules
// the deletion and says the HSM object stays.
func TestRetireCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("sandbox CLI test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	used := w.newOldKey(t)
	if _, err := w.kms(w.sb.Region()).Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String(used), Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	w.wantCode(t, exitFindings, "recent-use [111111111111]", "retire", "--key", used, "--yes")
	out := w.wantCode(t, exitFindings, `"allowed": false`, "retire", "--key", used, "--dry-run", "--format", "json")
	var plan struct{ Blockers []retire.Blocker }
	err := json.NewDecoder(strings.NewReader(out[strings.Index(out, "{"):])).Decode(&plan)
	if err != nil || len(plan.Blockers) != 1 || plan.Blockers[0].Kind != retire.BlockRecentUse || !strings.Contains(plan.Blockers[0].Detail, "Encrypt") {
		t.Fatalf("dry-run JSON: %v\n%s", err, out)
	}
	if w.keyState(t, used) != types.KeyStateEnabled {
		t.Fatal("a refused retire changed the key")
	}
	quiet := w.newOldKey(t)
	w.wantCode(t, exitOK, "nothing blocks it", "retire", "--key", quiet, "--dry-run")
	w.wantCode(t, exitOK, "disabled (retired)", "retire", "--key", quiet, "--yes", "--change-ref", "CHG-7")
	w.wantCode(t, exitOK, "already disabled", "retire", "--key", quiet)
	w.wantCode(t, exitOK, `"nothing_to_do"`, "retire", "--key", quiet, "--format", "json")
	w.wantCode(t, exitOK, "re-enabled", "retire", "--key", quiet, "--undo", "--yes")
	w.wantCode(t, exitOK, "no retirement to undo", "retire", "--key", quiet, "--undo")
	w.wantCode(t, exitFindings, "run byok retire --key", "retire", "--key", quiet, "--schedule-deletion", "--yes")
	w.wantCode(t, exitOK, "disabled (retired)", "retire", "--key", quiet, "--yes")
	w.wantCode(t, exitFindings, "allows scheduling its deletion from", "retire", "--key", quiet, "--schedule-deletion", "--yes")
	w.wantCode(t, exitOK, "never deletes the HSM object", "retire", "--key", quiet, "--schedule-deletion", "--disabled-for", "0", "--pending-window-days", "7", "--yes")
	if st := w.keyState(t, quiet); st != types.KeyStatePendingDeletion {
		t.Fatalf("key %s after schedule-deletion", st)
	}
	w.wantCode(t, exitOK, "already pending deletion", "retire", "--key", quiet, "--schedule-deletion", "--disabled-for", "0")
	w.wantCode(t, exitUsage, "--pending-window-days 6", "retire", "--key", quiet, "--schedule-deletion", "--pending-window-days", "6")
	w.wantCode(t, exitUsage, "exclude each other", "retire", "--key", quiet, "--undo", "--schedule-deletion")
	w.wantCode(t, exitUsage, "--key is required", "retire")
	w.wantCode(t, exitOK, "ok: 4 entries", "audit", "verify")
	w.wantCode(t, exitOK, "schedule-deletion", "audit", "show")
	w.wantCode(t, exitOK, "retire-undo", "runs", "list")
	w.wantCode(t, exitOK, "no key is locked", "lock", "status")
}

// TestRetireKillAtEveryStep: each retire procedure SIGKILLed at every
// boundary (request, admission, each step before and after, and after
// its KMS call or audit entry before the journal says so) is finished by
// byok resume: the key ends in the procedure's state with exactly one
// audit entry of the run.
func TestRetireKillAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	procs := []struct {
		s     rotation.Strategy
		act   store.Step
		prep  [][]string // before the killed run, with %s the key
		args  []string
		state types.KeyState
	}{
		{rotation.Retire, store.StepDisable, nil, nil, types.KeyStateDisabled},
		{rotation.RetireUndo, store.StepEnable, [][]string{{"--yes"}}, []string{"--undo"}, types.KeyStateEnabled},
		{rotation.ScheduleDeletion, store.StepScheduleDeletion, [][]string{{"--yes"}}, []string{"--schedule-deletion", "--disabled-for", "0"}, types.KeyStatePendingDeletion},
	}
	for _, p := range procs {
		fps := []string{"request:after", "admit:after", p.act.String() + ":unrecorded", "record:unrecorded"}
		for _, step := range rotation.Steps(p.s, false) {
			fps = append(fps, step.String()+":before", step.String()+":after")
		}
		for _, fp := range fps {
			t.Run(p.s.String()+"/"+fp, func(t *testing.T) {
				key := w.newOldKey(t)
				for _, pre := range p.prep {
					w.wantCode(t, exitOK, "", append([]string{"retire", "--key", key}, pre...)...)
				}
				args := append([]string{"retire", "--key", key, "--yes"}, p.args...)
				if _, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=" + fp}, args...); !killed {
					t.Fatalf("failpoint %s did not kill byok retire:\n%s", fp, out)
				}
				id := w.lastRun(t)
				if code, _, out := w.exec(t, nil, "resume", id.String()); code != 0 {
					t.Fatalf("byok resume %s: exit %d\n%s", id, code, out)
				}
				if st := w.keyState(t, key); st != p.state {
					t.Fatalf("key %s after resume, want %s", st, p.state)
				}
				w.checkRetireAudit(t, id, key, p.s)
			})
		}
	}
}

func (w *rotWorld) checkRetireAudit(t *testing.T, id store.RunID, key string, s rotation.Strategy) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	run, err := st.GetRun(ctx, id)
	if err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("run %s: %s %v", id, run.Status, err)
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
		if e.RunID == id.String() && e.KeyARN == key && e.Strategy == s.String() {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d audit entries of run %s, want 1", n, id)
	}
}
