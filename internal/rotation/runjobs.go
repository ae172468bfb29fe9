package rotation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// job makes the job of one run key; the run's strategy chooses the
// procedure.
func (e *Engine) job(run store.Run, k estate.Key, rk store.RunKey) (*keyJob, error) {
	s, err := ParseStrategy(run.Strategy)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", run.ID, err)
	}
	proc, err := procedureFor(s)
	if err != nil {
		return nil, err
	}
	return &keyJob{e: e, run: run, key: k, rk: rk, kms: e.securityKMS(k.Region), proc: proc,
		steps: proc.steps(len(k.Replicas) > 0), timings: map[string]time.Duration{}}, nil
}

// finishRun records the run's outcome from its request: succeeded when
// every requested key is done or skipped; stopped (resumable) when a key
// failed or stopped or is still pending, with how to resume; partial when
// the rest is done but some keys were refused — each refused key then has
// an audit entry with its reason. A run recorded before requests existed
// (or a re-import run) has no request: its outcome is its keys'.
func (e *Engine) finishRun(ctx context.Context, run store.Run, runErr error, refused []error) error {
	bg := context.WithoutCancel(ctx)
	rqs, err := e.Store.ListRequestKeys(bg, run.ID)
	if err != nil {
		return errors.Join(runErr, err, errors.Join(refused...))
	}
	pending, denied := byAdmission(rqs, store.AdmissionPending), byAdmission(rqs, store.AdmissionRefused)
	switch {
	case runErr != nil || len(pending) > 0:
		if runErr == nil {
			runErr = &StoppedError{RunID: run.ID}
		}
		text := runErr.Error()
		if len(pending) > 0 {
			text = fmt.Sprintf("%d requested key(s) not admitted yet (%s); %s", len(pending), aliases(pending), text)
		}
		if serr := e.Store.SetRunStatus(bg, run.ID, store.StatusStopped, text); serr != nil {
			return errors.Join(runErr, serr)
		}
		return collapseStops(errors.Join(append([]error{runErr}, refused...)...), run.ID)
	case len(denied) > 0:
		perr := &PartialError{RunID: run.ID, Refused: denied, Errs: refused}
		if err := e.auditRefusals(bg, run, denied); err != nil {
			return errors.Join(perr, err)
		}
		return errors.Join(perr, e.Store.SetRunStatus(bg, run.ID, store.StatusPartial, perr.Error()))
	}
	return errors.Join(e.Store.SetRunStatus(bg, run.ID, store.StatusSucceeded, ""), errors.Join(refused...))
}

// collapseStops replaces the StoppedError of every key by one for the run,
// keeping the other keys' errors.
func collapseStops(err error, id store.RunID) error {
	var stopped *StoppedError
	if !errors.As(err, &stopped) {
		return err
	}
	var rest []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !errors.As(e, &stopped) {
				rest = append(rest, e)
			}
		}
	}
	return errors.Join(append([]error{&StoppedError{RunID: id}}, rest...)...)
}
