package rotation

import (
	"context"
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/store"
)

// hsmSteps are the steps that open the HSM: generating or finding the
// material's object and wrapping it. A procedure with none of them (a
// migration, a retirement, an alias rollback) never touches the HSM.
var hsmSteps = []store.Step{store.StepHSMGenerate, store.StepHSMFind, store.StepWrap}

// usesHSM reports whether any step of the procedure touches the HSM.
func (p *procedure) usesHSM() bool {
	return slices.ContainsFunc(p.table, func(d stepDef) bool { return slices.Contains(hsmSteps, d.step) })
}

// StrategyNeedsHSM reports whether the procedure named name touches the
// HSM. A name no procedure has counts as needing it: a resume must not
// start without the HSM a run might need.
func StrategyNeedsHSM(name string) bool {
	s, err := ParseStrategy(name)
	if err != nil {
		return true
	}
	p, err := procedureFor(s)
	return err != nil || p.usesHSM()
}

// RunNeedsHSM reports whether resuming run id can touch the HSM: some key
// of its request or journal, not yet done, follows a procedure with an
// HSM step (rotations, imports, re-imports). Migrations, retirements and
// rollbacks resume without it, so a user without the HSM's PIN or module
// can resume them.
func (e *Engine) RunNeedsHSM(ctx context.Context, id store.RunID) (bool, error) {
	run, err := e.Store.GetRun(ctx, id)
	if err != nil {
		return false, err
	}
	rqs, err := e.Store.ListRequestKeys(ctx, id)
	if err != nil {
		return false, err
	}
	rks, err := e.Store.ListRunKeys(ctx, id)
	if err != nil {
		return false, err
	}
	var names []string
	for _, rq := range rqs {
		if rq.Admission == store.AdmissionPending { // an admitted key has its run key
			names = append(names, rq.Strategy)
		}
	}
	for _, rk := range rks {
		if rk.Step != store.StepDone {
			names = append(names, rk.Strategy)
		}
	}
	return namesNeedHSM(run.Strategy, names), nil
}

// namesNeedHSM judges the strategy names of a run's keys; an empty name
// is the run's strategy ("a+b" when its keys follow several).
func namesNeedHSM(runStrategy string, names []string) bool {
	for _, n := range names {
		if n != "" {
			if StrategyNeedsHSM(n) {
				return true
			}
			continue
		}
		for _, rn := range strings.Split(runStrategy, "+") {
			if StrategyNeedsHSM(rn) {
				return true
			}
		}
	}
	return false
}
