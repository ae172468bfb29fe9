package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// TestStepNamesOnDisk pins the journal's step names: they are what the
// state file holds, so a renamed step would strand every recorded run.
func TestStepNamesOnDisk(t *testing.T) {
	want := map[string]Step{"plan": StepPlan, "canaries": StepCanaries, "hsm-generate": StepHSMGenerate,
		"get-parameters": StepGetParameters, "wrap": StepWrap, "import": StepImport, "import-replicas": StepImportReplicas,
		"rotate": StepRotate, "verify": StepVerify, "tag": StepTag, "watch": StepWatch, "record": StepRecord,
		"create-key": StepCreateKey, "update-alias": StepUpdateAlias, "rollback": StepRollback,
		"hsm-find": StepHSMFind, "done": StepDone,
		"disable": StepDisable, "enable": StepEnable, "schedule-deletion": StepScheduleDeletion,
		"writers-stopped": StepWritersStopped, "snapshot": StepSnapshot,
		"copy-snapshot": StepCopySnapshot, "restore": StepRestore, "members": StepMembers, "switch": StepSwitch,
		"stop-old": StepStopOld, "update-sse": StepUpdateSSE,
		"default-encryption": StepDefaultEncryption, "reencrypt": StepReencrypt}
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
	r.Strategy = "reimport"
	if err := s.CreateRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRunKey(ctx, r.ID, keyA); err != nil {
		t.Fatal(err)
	}
	for _, step := range reimportStepNames {
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
	if err != nil || got.Strategy != "reimport" {
		t.Fatalf("GetRun = %+v, %v; want strategy reimport", got, err)
	}
	ev, err := s.Journal(ctx, r.ID)
	if err != nil || len(ev) != 2*len(reimportStepNames)+2 || ev[len(ev)-1].Step != StepHSMFind {
		t.Fatalf("journal: %d events (%v), want %d ending with hsm-find", len(ev), err, 2*len(reimportStepNames)+2)
	}
}

// reimportStepNames is a re-import's step order as the rotation package
// journals it (the store does not know it; it only records names).
var reimportStepNames = []Step{StepPlan, StepCanaries, StepHSMFind, StepImportReplicas, StepGetParameters,
	StepWrap, StepImport, StepVerify, StepRecord, StepDone}
