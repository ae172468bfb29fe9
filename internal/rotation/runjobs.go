package rotation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// job makes the job of one run key; the key's strategy (a run may hold
// several) chooses the procedure.
func (e *Engine) job(run store.Run, k estate.Key, rk store.RunKey) (*keyJob, error) {
	name := rk.Strategy
	if name == "" {
		name = run.Strategy
	}
	s, err := ParseStrategy(name)
	if err != nil {
		return nil, fmt.Errorf("run %s key %s: %w", run.ID, rk.KeyARN, err)
	}
	rk.Strategy = s.String()
	proc, err := procedureFor(s)
	if err != nil {
		return nil, err
	}
	j := &keyJob{e: e, run: run, key: k, rk: rk, kms: e.securityKMS(k.Region), proc: proc,
		steps: proc.steps(len(k.Replicas) > 0), timings: map[string]time.Duration{}}
	if proc.resource {
		sub, err := subjectOf(rk)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", run.ID, err)
		}
		j.subject, j.key = &sub, sub.key()
	}
	return j, nil
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
	if run.Target != "" { // a rollback: the target is rolled back before the run says it succeeded
		if err := e.Store.SetRunStatus(bg, run.Target, store.StatusRolledBack, "rolled back by run "+run.ID.String()); err != nil {
			return err
		}
	}
	if notes := byNote(rqs); len(notes) > 0 {
		perr := &PartialError{RunID: run.ID, Refused: notes, Errs: refused}
		return errors.Join(perr, e.Store.SetRunStatus(bg, run.ID, store.StatusPartial, perr.Error()))
	}
	return errors.Join(e.Store.SetRunStatus(bg, run.ID, store.StatusSucceeded, ""), errors.Join(refused...))
}

// byNote are the admitted keys that left work for later (a key this run
// re-imported that is also due for a rotation).
func byNote(rqs []store.RequestKey) []store.RequestKey {
	var out []store.RequestKey
	for _, rq := range byAdmission(rqs, store.AdmissionAdmitted) {
		if rq.Reason != "" {
			out = append(out, rq)
		}
	}
	return out
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
