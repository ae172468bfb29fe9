package store

import (
	"context"
	"errors"
	"testing"
)

type jop struct {
	ph   Phase
	step Step
	want error
}

func TestJournalTransitions(t *testing.T) {
	tests := map[string]struct {
		ops       []jop
		lastStep  Step
		lastPhase Phase
	}{
		"begin end": {[]jop{{PhaseBegin, StepPlan, nil}, {PhaseEnd, StepPlan, nil}}, StepPlan, PhaseEnd},
		"interrupted": {[]jop{{PhaseBegin, StepPlan, nil}, {PhaseEnd, StepPlan, nil}, {PhaseBegin, StepWrap, nil}},
			StepWrap, PhaseBegin},
		"re-begin after crash": {[]jop{{PhaseBegin, StepImport, nil}, {PhaseBegin, StepImport, nil}, {PhaseEnd, StepImport, nil}},
			StepImport, PhaseEnd},
		"other step open": {[]jop{{PhaseBegin, StepWrap, nil}, {PhaseBegin, StepImport, ErrStepOpen}},
			StepWrap, PhaseBegin},
		"end never begun":  {[]jop{{PhaseEnd, StepWrap, ErrStepNotBegun}}, StepUnknown, PhaseUnknown},
		"end wrong step":   {[]jop{{PhaseBegin, StepWrap, nil}, {PhaseEnd, StepImport, ErrStepNotBegun}}, StepWrap, PhaseBegin},
		"end twice":        {[]jop{{PhaseBegin, StepWrap, nil}, {PhaseEnd, StepWrap, nil}, {PhaseEnd, StepWrap, ErrStepNotBegun}}, StepWrap, PhaseEnd},
		"fail then retry":  {[]jop{{PhaseBegin, StepVerify, nil}, {PhaseFail, StepVerify, nil}, {PhaseBegin, StepVerify, nil}}, StepVerify, PhaseBegin},
		"fail never begun": {[]jop{{PhaseFail, StepVerify, ErrStepNotBegun}}, StepUnknown, PhaseUnknown},
		"zero step":        {[]jop{{PhaseBegin, StepUnknown, ErrInvalid}}, StepUnknown, PhaseUnknown},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, _ := openTemp(t)
			ctx := context.Background()
			r := seedRunKey(t, s)
			for i, op := range tc.ops {
				err := doJournal(ctx, s, r, op)
				if !errors.Is(err, op.want) || (op.want == nil) != (err == nil) {
					t.Fatalf("op %d (%s %s): err = %v, want %v", i, op.ph, op.step, err, op.want)
				}
			}
			st, ph, err := s.LastStep(ctx, r, keyA)
			if err != nil || st != tc.lastStep || ph != tc.lastPhase {
				t.Fatalf("LastStep = %s %s %v, want %s %s", st, ph, err, tc.lastStep, tc.lastPhase)
			}
		})
	}
}

func doJournal(ctx context.Context, s *Store, r RunID, op jop) error {
	switch op.ph {
	case PhaseBegin:
		return s.BeginStep(ctx, r, keyA, op.step, map[string]string{"state": "before"})
	case PhaseEnd:
		return s.EndStep(ctx, r, keyA, op.step, map[string]string{"state": "after"})
	default:
		return s.FailStep(ctx, r, keyA, op.step, "verify failed in 222222222222", nil)
	}
}

func seedRunKey(t testing.TB, s *Store) RunID {
	t.Helper()
	ctx := context.Background()
	r := testRun(t)
	if err := s.CreateRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRunKey(ctx, r.ID, keyA); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestJournalRecordsStateAndErrors(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	r := seedRunKey(t, s)
	if err := s.BeginStep(ctx, r, keyA, StepWrap, nil); err != nil {
		t.Fatal(err)
	}
	err := s.BeginStep(ctx, r, keyA, StepImport, nil)
	var se *StepError
	if !errors.As(err, &se) || se.Open != StepWrap || se.Step != StepImport {
		t.Fatalf("err = %v, want *StepError naming open step wrap", err)
	}
	if err := s.FailStep(ctx, r, keyA, StepWrap, "wrap: mechanism invalid", map[string]int{"attempt": 1}); err != nil {
		t.Fatal(err)
	}
	k, err := s.GetRunKey(ctx, r, keyA)
	if err != nil || k.Step != StepWrap || k.Error != "wrap: mechanism invalid" {
		t.Fatalf("run key = %+v, %v", k, err)
	}
	ev, err := s.Journal(ctx, r)
	if err != nil || len(ev) != 2 || ev[0].Phase != PhaseBegin || string(ev[0].Detail) != "{}" ||
		ev[1].Phase != PhaseFail || string(ev[1].Detail) != `{"attempt":1}` || ev[1].Seq <= ev[0].Seq {
		t.Fatalf("journal = %+v, %v", ev, err)
	}
	if err := s.BeginStep(ctx, r, keyA, StepPlan, func() {}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unmarshalable detail: err = %v, want ErrInvalid", err)
	}
	if _, _, err := s.LastStep(ctx, r, "arn:unknown"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LastStep unknown key: err = %v, want ErrNotFound", err)
	}
	if err := s.BeginStep(ctx, "r-20200101T000000Z-0000", keyA, StepPlan, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("BeginStep unknown run: err = %v, want ErrNotFound", err)
	}
}

func TestEnumsRoundTrip(t *testing.T) {
	for s := StepPlan; s <= StepDone; s++ {
		if got, err := ParseStep(s.String()); err != nil || got != s {
			t.Errorf("ParseStep(%q) = %v, %v", s, got, err)
		}
	}
	for s := StatusPlanned; s <= StatusStopped; s++ {
		if got, err := ParseRunStatus(s.String()); err != nil || got != s {
			t.Errorf("ParseRunStatus(%q) = %v, %v", s, got, err)
		}
	}
	for p := PhaseBegin; p <= PhaseFail; p++ {
		if got, err := ParsePhase(p.String()); err != nil || got != p {
			t.Errorf("ParsePhase(%q) = %v, %v", p, got, err)
		}
	}
	for _, bad := range []string{"", "Plan", "step(0)", "unknown"} {
		if _, err := ParseStep(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseStep(%q): err = %v, want ErrInvalid", bad, err)
		}
	}
}
