package rotation

import (
	"context"
	"errors"

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
	// Prepared is the decided request (what a dry run prints).
	Prepared Prepared
	// Run is the run ("" when no key needed work), Err its error.
	Run store.RunID
	Err error
	// Reimported are the materials the run re-imported without expiry.
	Reimported []ReimportResult
}

// Execute carries out a request as one run: Prepare decides each key's
// procedure (with Selector.Due a re-import of expiring material byok
// imported, a rotation of a due key, or skipped) and StartPrepared
// journals exactly those items as the run's request before any work. No
// run is started when no key needs work. The caller hands over the keys
// and the selector; it filters nothing.
func (e *Engine) Execute(ctx context.Context, req Request) Outcome {
	p, err := e.Prepare(ctx, req)
	out := Outcome{Prepared: p, Err: err}
	if err != nil || p.Runs() == 0 {
		return out
	}
	return e.ExecutePrepared(ctx, p, req.Plans)
}

// ExecutePrepared runs a request decided by Prepare (a dry run's, or a
// saved plan's after its check).
func (e *Engine) ExecutePrepared(ctx context.Context, p Prepared, plans []Plan) Outcome {
	out := Outcome{Prepared: p}
	out.Run, out.Err = e.StartPrepared(ctx, p, plans)
	if out.Run != "" {
		res, err := e.reimportResults(context.WithoutCancel(ctx), out.Run)
		out.Reimported = res
		out.Err = errors.Join(out.Err, err)
	}
	return out
}
