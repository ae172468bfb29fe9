package sharedstate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sharedstate"
	"github.com/byok-dev/byok/internal/store"
)

// TestRunJournalObjects: each step boundary rewrites the run's journal
// object, whose status follows its keys (running, stopped after a failed
// step, done when every key is done); ListRuns reads them newest first
// and GetRun reads one (ErrNotFound for a run never written). A process
// that resumes the run keeps the keys the first recorded.
func TestRunJournalObjects(t *testing.T) {
	ctx := context.Background()
	st := newClock().store(newS3(t))
	s := &sharedstate.Session{Store: st, Holder: "arn:aws:iam::111111111111:user/ops", Host: "h1", PID: 42}
	older, newer := store.RunID("r-20261205T100000Z-aaaa"), store.RunID("r-20261205T110000Z-bbbb")
	keyB, keyC := keyA[:len(keyA)-1]+"c", keyA[:len(keyA)-1]+"d"
	steps := []struct {
		run  store.RunID
		key  string
		step store.Step
		ph   store.Phase
		want string
	}{
		{older, keyA, store.StepPlan, store.PhaseBegin, "running"},
		{older, keyA, store.StepDone, store.PhaseEnd, "done"},
		{newer, keyA, store.StepImport, store.PhaseEnd, "running"},
		{newer, keyB, store.StepImport, store.PhaseFail, "stopped"},
		{newer, keyB, store.StepImport, store.PhaseEnd, "running"},
		{newer, keyB, store.StepDone, store.PhaseEnd, "running"},
		{newer, keyA, store.StepDone, store.PhaseEnd, "done"},
	}
	for i, c := range steps {
		var err error
		if c.ph == store.PhaseFail {
			err = errors.New("boom")
		}
		s.Step(ctx, rotation.Progress{RunID: c.run, KeyARN: c.key, Step: c.step, Phase: c.ph, Err: err})
		r, gerr := st.GetRun(ctx, c.run.String())
		if gerr != nil || r.Status != c.want || r.Holder != s.Holder || r.Host != "h1" || r.PID != 42 {
			t.Fatalf("after boundary %d: %+v, %v; want status %s", i, r, gerr, c.want)
		}
	}
	// another process resumes the newer run: the keys already done stay in
	// its journal object, and that process is the holder now
	resumed := &sharedstate.Session{Store: st, Holder: s.Holder, Host: "h2", PID: 7}
	resumed.Step(ctx, rotation.Progress{RunID: newer, KeyARN: keyC, Step: store.StepVerify, Phase: store.PhaseEnd})
	if r, err := st.GetRun(ctx, newer.String()); err != nil || len(r.Keys) != 3 || r.Status != "running" || r.Host != "h2" || r.PID != 7 {
		t.Fatalf("after a resume in another process: %+v, %v", r, err)
	}
	resumed.Step(ctx, rotation.Progress{RunID: newer, KeyARN: keyC, Step: store.StepDone, Phase: store.PhaseEnd})
	runs, err := st.ListRuns(ctx)
	if err != nil || len(runs) != 2 || runs[0].Run != newer.String() || runs[1].Run != older.String() || len(runs[0].Keys) != 3 || runs[0].Status != "done" {
		t.Fatalf("ListRuns: %+v, %v", runs, err)
	}
	if _, err := st.GetRun(ctx, "r-20261205T120000Z-cccc"); !errors.Is(err, sharedstate.ErrNotFound) {
		t.Fatalf("GetRun of an unknown run: %v, want ErrNotFound", err)
	}
}
