package rotation

import (
	"context"

	"github.com/byok-dev/byok/internal/store"
)

// Work is what a request would do, from fresh plans: for the prompt and
// the "nothing to rotate" answer. The engine decides again on its own.
type Work struct {
	Rotations int // keys a rotation would change (due ones with Selector.Due)
	Reimports int // expiring materials byok imported, to re-import (Due only)
	Manual    int // expiring materials byok did not import (Due only): operator action
}

// Summarize counts the work of plans under a selector.
func Summarize(plans []Plan, sel Selector) Work {
	var w Work
	for _, p := range plans {
		if !sel.Due {
			w.Rotations++
			continue
		}
		if p.Due {
			w.Rotations++
		}
		n := p.ReimportableCount()
		w.Reimports += n
		w.Manual += len(p.Expiring) - n
	}
	return w
}

// Outcome is what Execute did.
type Outcome struct {
	// ReimportRun is the first re-import run ("" when none), Reimported the
	// materials re-imported without expiry, ReimportErr their errors.
	ReimportRun store.RunID
	Reimported  []ReimportResult
	ReimportErr error
	// Run is the rotation run ("" when none was started), RunErr its error.
	Run    store.RunID
	RunErr error
}

// Execute carries out a request. With Selector.Due it first re-imports
// without expiry the expiring material byok imported (a rotation would not
// help: the old material keeps its ValidTo), then, if that succeeded,
// rotates the due keys as one run whose request holds every selected key
// (the others skipped with the reason). Without Due it rotates every key.
// The caller hands over the keys and the selector; it filters nothing.
func (e *Engine) Execute(ctx context.Context, req Request) Outcome {
	var out Outcome
	if req.Selector.Due {
		plans := req.Plans
		if len(plans) == 0 {
			var err error
			if plans, err = e.PlanKeys(ctx, req.Keys, req.Strategy); err != nil {
				out.ReimportErr = err
				return out
			}
		}
		if reimports := Reimportable(plans); len(reimports) > 0 {
			out.ReimportRun, out.Reimported, out.ReimportErr = e.Reimport(ctx, reimports, req.ChangeRef)
			if out.ReimportErr != nil {
				return out
			}
			req.Plans = nil // the keys changed: admission inspects them again
		}
		if Summarize(plans, req.Selector).Rotations == 0 {
			return out
		}
	}
	out.Run, out.RunErr = e.Start(ctx, req)
	return out
}

// DuePlans are the plans whose key is due for a rotation.
func DuePlans(plans []Plan) []Plan {
	var out []Plan
	for _, p := range plans {
		if p.Due {
			out = append(out, p)
		}
	}
	return out
}

// Reimportable are the plans with expiring material byok can re-import.
func Reimportable(plans []Plan) []Plan {
	var out []Plan
	for _, p := range plans {
		if p.ReimportableCount() > 0 {
			out = append(out, p)
		}
	}
	return out
}
