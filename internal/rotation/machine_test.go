package rotation

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/byok-dev/byok/internal/store"
)

// wantOrders are the step orders of DESIGN.md, written out here
// independently of the tables: per strategy, single- and multi-Region.
var wantOrders = map[Strategy][2][]store.Step{
	InPlace: {
		{store.StepPlan, store.StepCanaries, store.StepHSMGenerate, store.StepGetParameters, store.StepWrap, store.StepImport,
			store.StepRotate, store.StepVerify, store.StepTag, store.StepWatch, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepCanaries, store.StepHSMGenerate, store.StepGetParameters, store.StepWrap, store.StepImport,
			store.StepImportReplicas, store.StepRotate, store.StepVerify, store.StepTag, store.StepWatch, store.StepRecord, store.StepDone},
	},
	NewKey: {
		{store.StepPlan, store.StepCanaries, store.StepCreateKey, store.StepHSMGenerate, store.StepGetParameters, store.StepWrap,
			store.StepImport, store.StepUpdateAlias, store.StepVerify, store.StepTag, store.StepWatch, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepCanaries, store.StepCreateKey, store.StepHSMGenerate, store.StepGetParameters, store.StepWrap,
			store.StepImport, store.StepUpdateAlias, store.StepVerify, store.StepTag, store.StepWatch, store.StepRecord, store.StepDone},
	},
	Reimport: {
		{store.StepPlan, store.StepCanaries, store.StepHSMFind, store.StepGetParameters, store.StepWrap, store.StepImport,
			store.StepVerify, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepCanaries, store.StepHSMFind, store.StepImportReplicas, store.StepGetParameters, store.StepWrap,
			store.StepImport, store.StepVerify, store.StepRecord, store.StepDone},
	},
	RollbackStrategy: {
		{store.StepPlan, store.StepRollback, store.StepVerify, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepRollback, store.StepVerify, store.StepRecord, store.StepDone},
	},
	Retire: {
		{store.StepPlan, store.StepDisable, store.StepVerify, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepDisable, store.StepVerify, store.StepRecord, store.StepDone},
	},
	RetireUndo: {
		{store.StepPlan, store.StepEnable, store.StepVerify, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepEnable, store.StepVerify, store.StepRecord, store.StepDone},
	},
	ScheduleDeletion: {
		{store.StepPlan, store.StepScheduleDeletion, store.StepVerify, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepScheduleDeletion, store.StepVerify, store.StepRecord, store.StepDone},
	},
	// no canaries: the key cannot encrypt before the import
	ImportFirst: {
		{store.StepPlan, store.StepHSMGenerate, store.StepGetParameters, store.StepWrap, store.StepImport,
			store.StepVerify, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepHSMGenerate, store.StepGetParameters, store.StepWrap, store.StepImport,
			store.StepImportReplicas, store.StepVerify, store.StepRecord, store.StepDone},
	},
	// replicas before the primary, as a re-import
	ImportExisting: {
		{store.StepPlan, store.StepHSMFind, store.StepGetParameters, store.StepWrap, store.StepImport,
			store.StepVerify, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepHSMFind, store.StepImportReplicas, store.StepGetParameters, store.StepWrap,
			store.StepImport, store.StepVerify, store.StepRecord, store.StepDone},
	},
	MigrateRDSInstance: {migRDS, migRDS},
	MigrateAuroraCluster: {
		{store.StepPlan, store.StepWritersStopped, store.StepSnapshot, store.StepCopySnapshot, store.StepRestore, store.StepMembers,
			store.StepSwitch, store.StepVerify, store.StepStopOld, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepWritersStopped, store.StepSnapshot, store.StepCopySnapshot, store.StepRestore, store.StepMembers,
			store.StepSwitch, store.StepVerify, store.StepStopOld, store.StepRecord, store.StepDone},
	},
	MigrateDynamoDB: {
		{store.StepPlan, store.StepUpdateSSE, store.StepVerify, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepUpdateSSE, store.StepVerify, store.StepRecord, store.StepDone},
	},
	MigrateRollback: {
		{store.StepPlan, store.StepRollback, store.StepVerify, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepRollback, store.StepVerify, store.StepRecord, store.StepDone},
	},
	MigrateS3Bucket: {
		{store.StepPlan, store.StepDefaultEncryption, store.StepReencrypt, store.StepVerify, store.StepRecord, store.StepDone},
		{store.StepPlan, store.StepDefaultEncryption, store.StepReencrypt, store.StepVerify, store.StepRecord, store.StepDone},
	},
}

var migRDS = []store.Step{store.StepPlan, store.StepWritersStopped, store.StepSnapshot, store.StepCopySnapshot, store.StepRestore,
	store.StepSwitch, store.StepVerify, store.StepStopOld, store.StepRecord, store.StepDone}

func TestStrategyOrders(t *testing.T) {
	if got := Strategies(); !slices.Equal(got, []Strategy{InPlace, NewKey, Reimport, RollbackStrategy, Retire, RetireUndo, ScheduleDeletion,
		ImportFirst, ImportExisting,
		MigrateRDSInstance, MigrateAuroraCluster, MigrateDynamoDB, MigrateRollback, MigrateS3Bucket}) {
		t.Fatalf("strategies %v", got)
	}
	for s, orders := range wantOrders {
		for i, multi := range []bool{false, true} {
			if got := Steps(s, multi); !slices.Equal(got, orders[i]) {
				t.Errorf("%s multi-Region=%v: steps %v, want %v", s, multi, got, orders[i])
			}
		}
	}
	if Steps(StrategyUnknown, false) != nil {
		t.Error("the zero Strategy has steps")
	}
}

// allowedAfterEnd: per the orders above, to may begin after from ended.
func allowedAfterEnd(s Strategy, from, to store.Step) bool {
	for _, order := range wantOrders[s] {
		if from == store.StepUnknown && to == order[0] {
			return true
		}
		if i := slices.Index(order, from); i >= 0 && i+1 < len(order) && order[i+1] == to {
			return true
		}
	}
	return false
}

// TestTransitions checks every (last step, phase) → next step of every
// strategy: allowed exactly when the orders say so (after an ended step)
// or when the same step is run again (after a begun or failed one);
// refused with a *TransitionError wrapping ErrTransition otherwise.
func TestTransitions(t *testing.T) {
	var all []store.Step
	for st := store.StepPlan; st.String() != fmt.Sprintf("Step(%d)", int(st)); st++ {
		all = append(all, st)
	}
	if len(all) < 17 {
		t.Fatalf("only %d steps enumerated", len(all))
	}
	for s := range wantOrders {
		p, err := procedureFor(s)
		if err != nil {
			t.Fatal(err)
		}
		inTable := func(st store.Step) bool { _, ok := p.def(st); return ok }
		for _, from := range append([]store.Step{store.StepUnknown}, all...) {
			for _, ph := range []store.Phase{store.PhaseBegin, store.PhaseEnd, store.PhaseFail} {
				if from == store.StepUnknown && ph != store.PhaseEnd {
					continue // no journal: LastStep reports StepUnknown, PhaseUnknown
				}
				for _, to := range all {
					want := ph == store.PhaseEnd && allowedAfterEnd(s, from, to) ||
						ph != store.PhaseEnd && from == to && inTable(to)
					if from == store.StepUnknown {
						want = allowedAfterEnd(s, from, to)
					}
					err := p.check(from, ph, to)
					var te *TransitionError
					switch {
					case want && err != nil:
						t.Errorf("%s: %s (%s) → %s refused: %v", s, from, ph, to, err)
					case !want && (!errors.Is(err, ErrTransition) || !errors.As(err, &te) || te.To != to):
						t.Errorf("%s: %s (%s) → %s: %v, want a *TransitionError", s, from, ph, to, err)
					}
				}
			}
		}
	}
}

func TestParseStrategy(t *testing.T) {
	tests := map[string]struct {
		want Strategy
		err  error
	}{
		"in-place": {InPlace, nil}, "new-key": {NewKey, nil}, "reimport": {Reimport, nil},
		"": {StrategyUnknown, ErrUnknownStrategy}, "In-Place": {StrategyUnknown, ErrUnknownStrategy},
		"Strategy(0)": {StrategyUnknown, ErrUnknownStrategy}, "rollback": {RollbackStrategy, nil},
		"roll-back": {StrategyUnknown, ErrUnknownStrategy},
	}
	for name, tc := range tests {
		got, err := ParseStrategy(name)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("ParseStrategy(%q) = %v, %v; want %v, %v", name, got, err, tc.want, tc.err)
		}
		if tc.err == nil && got.String() != name {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
}

// FuzzParseStrategy: any name parses to a strategy whose String is the
// name, or fails with ErrUnknownStrategy and the zero value.
func FuzzParseStrategy(f *testing.F) {
	for _, seed := range []string{"in-place", "new-key", "reimport", "", "Strategy(0)", "in-place\x00", "ＲＥＩＭＰＯＲＴ"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s, err := ParseStrategy(name)
		switch {
		case err == nil && s.String() != name:
			t.Fatalf("%q parsed to %v", name, s)
		case err != nil && (s != StrategyUnknown || !errors.Is(err, ErrUnknownStrategy)):
			t.Fatalf("%q: %v, %v", name, s, err)
		}
	})
}

// FuzzDecodeSelector: a run's recorded selector either decodes or is an
// error naming the run; decoding never panics and round-trips.
func FuzzDecodeSelector(f *testing.F) {
	for _, seed := range []string{"", `{}`, `{"due":true}`, `{"env":"dev","service":"s3"}`, `{"key":"alias/prod/rds"}`, `{"due":"yes"}`, `[`, `null`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		run := store.Run{ID: "r-20261205T120000Z-0001", Selector: raw}
		sel, err := decodeSelector(run)
		if err != nil {
			return
		}
		again, err := decodeSelector(store.Run{ID: run.ID, Selector: sel.encode()})
		if err != nil || again != sel {
			t.Fatalf("%q: %+v does not round-trip: %+v, %v", raw, sel, again, err)
		}
	})
}
