package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

// TestStepNamesOnDisk pins the journal's step names: they are what the
// state file holds, so a renamed step would strand every recorded run.
func TestStepNamesOnDisk(t *testing.T) {
	want := map[string]Step{"plan": StepPlan, "canaries": StepCanaries, "hsm-generate": StepHSMGenerate,
		"get-parameters": StepGetParameters, "wrap": StepWrap, "import": StepImport, "import-replicas": StepImportReplicas,
		"rotate": StepRotate, "verify": StepVerify, "tag": StepTag, "watch": StepWatch, "record": StepRecord,
		"create-key": StepCreateKey, "update-alias": StepUpdateAlias, "rollback": StepRollback,
		"hsm-find": StepHSMFind, "done": StepDone}
	for name, step := range want {
		got, err := ParseStep(name)
		if err != nil || got != step || step.String() != name {
			t.Errorf("ParseStep(%q) = %v, %v; %v.String() = %q", name, got, err, int(step), step.String())
		}
	}
	if n := len(stepNames) - 1; n != len(want) {
		t.Errorf("%d steps, %d pinned: pin the new step's name here", n, len(want))
	}
}

// TestReimportSteps: a re-import finds its HSM object (never generates),
// imports replicas before the primary, verifies before it records, and
// never rotates or moves an alias.
func TestReimportSteps(t *testing.T) {
	steps := ReimportSteps()
	idx := func(s Step) int { return slices.Index(steps, s) }
	for _, s := range []Step{StepHSMGenerate, StepRotate, StepCreateKey, StepUpdateAlias, StepTag} {
		if idx(s) >= 0 {
			t.Errorf("re-import runs step %s", s)
		}
	}
	order := []Step{StepPlan, StepHSMFind, StepImportReplicas, StepGetParameters, StepWrap, StepImport, StepVerify, StepRecord, StepDone}
	for i := 1; i < len(order); i++ {
		if a, b := idx(order[i-1]), idx(order[i]); a < 0 || b <= a {
			t.Errorf("step %s (at %d) must come before %s (at %d)", order[i-1], a, order[i], b)
		}
	}
	if steps[len(steps)-1] != StepDone {
		t.Errorf("last step %s, want done", steps[len(steps)-1])
	}
}

// TestReimportRunJournal: the unchanged schema (the strategy column is
// free text) records a re-import run, journals every step, keeps one
// step open at a time, and reads it all back after reopening.
func TestReimportRunJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	r := testRun(t)
	r.Strategy = StrategyReimport
	if err := s.CreateRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRunKey(ctx, r.ID, keyA); err != nil {
		t.Fatal(err)
	}
	for _, step := range ReimportSteps() {
		if err := s.BeginStep(ctx, r.ID, keyA, step, nil); err != nil {
			t.Fatal(err)
		}
		if step == StepImport { // an interrupted import is re-begun by the resume
			if err := s.BeginStep(ctx, r.ID, keyA, step, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.EndStep(ctx, r.ID, keyA, step, map[string]string{"material": "m-1"}); err != nil {
			t.Fatal(err)
		}
	}
	err = s.BeginStep(ctx, r.ID, keyA, StepHSMFind, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.BeginStep(ctx, r.ID, keyA, StepWrap, nil); !errors.Is(err, ErrStepOpen) {
		t.Fatalf("wrap while hsm-find is open: err = %v, want ErrStepOpen", err)
	}
	s.Close()
	if s, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.GetRun(ctx, r.ID)
	if err != nil || got.Strategy != StrategyReimport {
		t.Fatalf("GetRun = %+v, %v; want strategy reimport", got, err)
	}
	ev, err := s.Journal(ctx, r.ID)
	if err != nil || len(ev) != 2*len(ReimportSteps())+2 || ev[len(ev)-1].Step != StepHSMFind {
		t.Fatalf("journal: %d events (%v), want %d ending with hsm-find", len(ev), err, 2*len(ReimportSteps())+2)
	}
}
