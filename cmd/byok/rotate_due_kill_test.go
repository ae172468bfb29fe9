package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/seed"
	"github.com/byok-dev/byok/internal/store"
)

// dueKillAliases are the keys of rotEstateYAML; the first three are seeded
// overdue, alias/prod/s3 is not due. Each case first rotates
// alias/prod/dynamodb (rotAlias) and makes that byok material expire, so
// the --due run is mixed: two in-place rotations, one re-import, one
// skipped key.
var dueKillAliases = []string{"alias/dev/dynamodb", "alias/dev/s3", "alias/prod/dynamodb", "alias/prod/s3"}

const (
	dueKillNotDue   = "alias/prod/s3"
	dueKillReimport = rotAlias
)

// TestKillRotateDueAnywhere SIGKILLs `byok rotate --due` of several keys
// (one run holding rotations and a re-import) at failpoints around admission (the run and its request journaled,
// nothing admitted; one key admitted) and after random delays (landing in
// planning, admission or any step), then resumes the run until it ends.
// Every key the run was asked for must end rotated exactly once (one
// more material, one audit entry) or be named by the run with the reason;
// none is silently dropped. A kill before the request was journaled must
// leave no run and every key untouched. The random delays come from a
// seed logged for replay.
func TestKillRotateDueAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	rotShm(t)
	rotBinary(t)
	opts := dueKillOpts()
	tok := newRotWorldSeeded(t, nil, opts).tok
	seedN := uint64(time.Now().UnixNano())
	t.Logf("random kill delays from seed %d", seedN)
	rng := rand.New(rand.NewPCG(seedN, 0))
	cases := []struct {
		name string
		fp   string
		d    time.Duration
	}{{name: "request:after", fp: "request:after"}, {name: "admit:after", fp: "admit:after"}}
	// byok takes about a second to plan before it records the run (more
	// on a loaded machine): delays of 0.3–4 s land before the request, in
	// admission and in every step; the failpoints above hit admission
	// every time.
	for i := 0; i < 8; i++ {
		d := 300*time.Millisecond + time.Duration(rng.Int64N(int64(3700*time.Millisecond)))
		cases = append(cases, struct {
			name string
			fp   string
			d    time.Duration
		}{name: "delay-" + d.Round(time.Millisecond).String(), d: d})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newRotWorldSeeded(t, tok, opts)
			f := w.firstRotation(t)
			w.expire(t, f)
			before := w.materialCounts(t)
			args := []string{"rotate", "--due", "--yes", "--change-ref", "CHG-due-kill"}
			if c.fp != "" {
				if _, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=" + c.fp}, args...); !killed {
					t.Fatalf("failpoint %s did not kill byok rotate --due:\n%s", c.fp, out)
				}
			} else {
				w.execKilledAfter(t, c.d, args...)
			}
			id, ok := w.newestRun(t, f.run)
			if !ok {
				w.checkUntouched(t, before)
				return
			}
			w.resumeToEnd(t, id)
			w.checkDueEnd(t, id, before)
		})
	}
}

// execKilledAfter runs byok and SIGKILLs it after d unless it ended first.
func (w *rotWorld) execKilledAfter(t *testing.T, d time.Duration, args ...string) {
	t.Helper()
	cmd := exec.Command(rotBinary(t), args...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := time.AfterFunc(d, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
	_ = cmd.Wait()
	kill.Stop()
	w.output.Write(buf.Bytes())
}

// newestRun is the newest run other than before, if the store has one.
func (w *rotWorld) newestRun(t *testing.T, before store.RunID) (store.RunID, bool) {
	t.Helper()
	st, err := store.Open(context.Background(), w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.ListRuns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var runs []store.Run
	for _, r := range all {
		if r.ID != before {
			runs = append(runs, r)
		}
	}
	if len(runs) == 0 {
		return "", false
	}
	if len(runs) > 1 {
		t.Fatalf("one rotate --due made %d runs", len(runs))
	}
	return runs[0].ID, true
}

// resumeToEnd resumes the run unless it already ended (the kill came
// after the run finished): one resume must finish it.
func (w *rotWorld) resumeToEnd(t *testing.T, id store.RunID) {
	t.Helper()
	if r := w.run(t, id); r.Status.Finished() {
		return
	}
	if code, _, out := w.exec(t, nil, "resume", id.String()); code != 0 {
		t.Fatalf("byok resume %s: exit %d\n%s", id, code, out)
	}
}

func (w *rotWorld) run(t *testing.T, id store.RunID) store.Run {
	t.Helper()
	st, err := store.Open(context.Background(), w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.GetRun(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// keyMaterials is a key's current material and how many it has.
type keyMaterials struct {
	arn     string
	current string
	count   int
}

func (w *rotWorld) materialCounts(t *testing.T) map[string]keyMaterials {
	t.Helper()
	out := map[string]keyMaterials{}
	for _, k := range w.seeded.Keys {
		cur, mats := w.materials(t, k.KeyARN, "eu-west-1")
		out[k.Alias] = keyMaterials{arn: k.KeyARN, current: cur, count: len(mats)}
	}
	if len(out) != len(dueKillAliases) {
		t.Fatalf("seeded %d keys, want %v", len(out), dueKillAliases)
	}
	return out
}

// checkUntouched: no key changed (the kill came before the request was
// journaled, so no work may have been done).
func (w *rotWorld) checkUntouched(t *testing.T, before map[string]keyMaterials) {
	t.Helper()
	for alias, b := range before {
		cur, mats := w.materials(t, b.arn, "eu-west-1")
		if cur != b.current || len(mats) != b.count {
			t.Errorf("%s changed without a run: current %s → %s, %d → %d materials", alias, b.current, cur, b.count, len(mats))
		}
	}
}

// checkDueEnd: the run's request names every key; each due key was
// admitted and rotated exactly once with one audit entry; the key that is
// not due was skipped with the reason and is unchanged; nothing is
// pending; the run succeeded and the audit chain verifies.
func (w *rotWorld) checkDueEnd(t *testing.T, id store.RunID, before map[string]keyMaterials) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.GetRun(ctx, id)
	rqs, qerr := st.ListRequestKeys(ctx, id)
	l, lerr := audit.Open(ctx, st)
	var es []audit.Entry
	if lerr == nil {
		es, lerr = l.List(ctx)
	}
	st.Close()
	if err != nil || qerr != nil || lerr != nil || len(rqs) != len(dueKillAliases) {
		t.Fatalf("run %s: %v %v %v; request of %d keys: %+v", id, err, qerr, lerr, len(rqs), rqs)
	}
	if run.Status != store.StatusSucceeded {
		t.Errorf("run %s ended %s (%s), want succeeded", id, run.Status, run.Error)
	}
	for _, rq := range rqs {
		b := before[rq.Alias]
		cur, mats := w.materials(t, b.arn, "eu-west-1")
		entries := auditEntries(es, id, b.arn)
		switch {
		case rq.Alias == dueKillReimport:
			w.checkReimportedOnce(t, rq, b, entries)
		case rq.Alias == dueKillNotDue:
			if rq.Admission != store.AdmissionSkipped || rq.Reason == "" || cur != b.current || len(mats) != b.count || entries != 0 {
				t.Errorf("%s (not due): %s %q, current %s → %s, %d → %d materials, %d audit entries", rq.Alias,
					rq.Admission, rq.Reason, b.current, cur, b.count, len(mats), entries)
			}
		case rq.Admission != store.AdmissionAdmitted:
			t.Errorf("%s (due): %s %q, want admitted", rq.Alias, rq.Admission, rq.Reason)
		case cur == b.current || len(mats) != b.count+1 || entries != 1:
			t.Errorf("%s: not rotated exactly once: current %s → %s, %d → %d materials, %d audit entries",
				rq.Alias, b.current, cur, b.count, len(mats), entries)
		}
	}
	if code, out := w.inproc("audit", "verify", "--state", w.statePath); code != 0 {
		t.Errorf("byok audit verify: exit %d\n%s", code, out)
	}
}

func auditEntries(es []audit.Entry, id store.RunID, arn string) int {
	n := 0
	for _, e := range es {
		if e.RunID == id.String() && e.KeyARN == arn {
			n++
		}
	}
	return n
}

// checkReimportedOnce: the re-import key of the mixed run was admitted
// with strategy reimport, keeps its material (same current, same count)
// with no ValidTo left, and has one audit entry.
func (w *rotWorld) checkReimportedOnce(t *testing.T, rq store.RequestKey, b keyMaterials, entries int) {
	t.Helper()
	cur, mats := w.materials(t, b.arn, "eu-west-1")
	if rq.Admission != store.AdmissionAdmitted || rq.Strategy != rotation.StrategyReimport || cur != b.current || len(mats) != b.count || entries != 1 {
		t.Errorf("%s (re-import): %s %s %q, current %s → %s, %d → %d materials, %d audit entries", rq.Alias, rq.Strategy,
			rq.Admission, rq.Reason, b.current, cur, b.count, len(mats), entries)
	}
	for _, m := range mats {
		if m.ValidTo != nil {
			t.Errorf("%s: material %s still expires", rq.Alias, aws.ToString(m.KeyMaterialId))
		}
	}
}

// dueKillOpts seeds every key overdue but dueKillNotDue.
func dueKillOpts() seed.Options {
	return seed.Options{Source: "test", DefaultMaterial: seed.Material{Age: 400 * 24 * time.Hour},
		Material: map[string]seed.Material{dueKillNotDue: {Age: 30 * 24 * time.Hour}}}
}
