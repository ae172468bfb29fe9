package rotation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// Request is one `byok rotate`.
type Request struct {
	Keys      []estate.Key
	Strategy  estate.Strategy
	ChangeRef string
	// Plans, when set, are PlanKeys results for Keys from moments ago (the
	// CLI shows them before asking); Start then does not inspect again.
	Plans []Plan
}

// planFresh is how long a plan's KeyStatus may stand in for the plan step's
// own inspection.
const planFresh = 30 * time.Second

// PlanKeys inspects each key through its alias in the Security account and
// decides what a rotation would do. It changes nothing.
func (e *Engine) PlanKeys(ctx context.Context, keys []estate.Key, strategy estate.Strategy) ([]Plan, error) {
	var plans []Plan
	for _, k := range keys {
		p, err := e.planKey(ctx, k, strategy)
		if err != nil {
			return plans, err
		}
		plans = append(plans, p)
	}
	return plans, nil
}

func (e *Engine) planKey(ctx context.Context, k estate.Key, strategy estate.Strategy) (Plan, error) {
	if !e.inEstate(k) {
		return Plan{}, &Refusal{KeyARN: k.AliasARN(), Err: ErrKeyNotInEstate,
			Hint: "byok rotates only the keys the estate file describes (byok estate show lists them)"}
	}
	st, err := Inspect(ctx, e.securityKMS(k.Region), k.AliasARN())
	if p, missing := AliasMissing(k, strategy, err, time.Now()); missing {
		return p, nil
	}
	if err != nil {
		return Plan{}, fmt.Errorf("plan %s: %w", k.Alias, err)
	}
	return Decide(k, st, e.Estate.Policy, strategy, "", time.Now()), nil
}

func (e *Engine) inEstate(k estate.Key) bool {
	for _, ek := range e.Estate.Keys() {
		if ek.Alias == k.Alias && ek.Region == k.Region && ek.Account == k.Account {
			return true
		}
	}
	return false
}

// Start plans the keys and starts each accepted key as soon as its plan is
// in, so that planning (ListKeyRotations: 5 per second) overlaps the
// quota-bound import work of the keys before it. A refused or locked key
// is not started and changes nothing; its error is returned joined with
// the run's. The run is recorded when the first key is accepted: when
// every key is refused, no run exists and the ID is empty.
func (e *Engine) Start(ctx context.Context, req Request) (store.RunID, error) {
	a := &admission{e: e, run: store.Run{ID: store.NewRunID(time.Now()), Strategy: string(req.Strategy),
		ChangeRef: req.ChangeRef, Operator: e.Operator, Status: store.StatusRunning, Created: time.Now()}}
	jobs := make(chan *keyJob)
	go func() {
		defer close(jobs)
		a.admitAll(ctx, req, jobs)
	}()
	runErr := e.runKeys(ctx, jobs)
	refused := errors.Join(a.refused...)
	if !a.created {
		return "", errors.Join(refused, runErr)
	}
	if a.admitted == 0 { // the lock was taken between the check and the acquire
		_ = e.Store.SetRunStatus(context.WithoutCancel(ctx), a.run.ID, store.StatusFailed, refused.Error())
		return a.run.ID, refused
	}
	return a.run.ID, errors.Join(e.finishRun(ctx, a.run, runErr), refused)
}

// admission turns plans into jobs of one run.
type admission struct {
	e        *Engine
	run      store.Run
	mu       sync.Mutex
	created  bool
	admitted int
	refused  []error
}

func (a *admission) admitAll(ctx context.Context, req Request, jobs chan<- *keyJob) {
	plans := make(chan Plan)
	go func() {
		defer close(plans)
		a.planAll(ctx, req, plans)
	}()
	for p := range plans {
		if ctx.Err() != nil {
			continue
		}
		if j, err := a.admit(ctx, p); err != nil {
			a.refuse(err)
		} else {
			jobs <- j
		}
	}
}

// planAll sends a plan per key: the request's own, or fresh ones made a
// few at a time (the limiter paces their calls).
func (a *admission) planAll(ctx context.Context, req Request, out chan<- Plan) {
	if len(req.Plans) > 0 {
		for _, p := range req.Plans {
			out <- p
		}
		return
	}
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, k := range req.Keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			p, err := a.e.planKey(ctx, k, req.Strategy)
			if err != nil {
				a.refuse(err)
				return
			}
			out <- p
		}()
	}
	wg.Wait()
}

func (a *admission) refuse(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refused = append(a.refused, err)
}

// admit records the run (first key only), locks the key and adds it.
func (a *admission) admit(ctx context.Context, p Plan) (*keyJob, error) {
	if p.Refused != nil {
		return nil, p.Refused
	}
	if !a.e.inEstate(p.Key) {
		return nil, &Refusal{KeyARN: p.Status.ARN, Err: ErrKeyNotInEstate, Hint: "byok rotates only the keys the estate file describes"}
	}
	if holder, status, err := a.e.Store.LockHolder(ctx, p.Status.ARN); err == nil && !status.Finished() && holder != a.run.ID {
		return nil, fmt.Errorf("%s: %w", p.Key.Alias, &store.LockedError{Key: p.Status.ARN, HeldBy: holder})
	}
	if !a.created {
		if err := a.e.Store.CreateRun(ctx, a.run); err != nil {
			return nil, err
		}
		a.created = true
	}
	arn := p.Status.ARN
	if err := a.e.Store.AcquireKeyLock(ctx, arn, a.run.ID); err != nil {
		return nil, fmt.Errorf("%s: %w", p.Key.Alias, err)
	}
	if err := a.e.Store.AddRunKey(ctx, a.run.ID, arn); err != nil {
		return nil, err
	}
	a.admitted++
	j := a.e.job(a.run, p.Key, store.RunKey{RunID: a.run.ID, KeyARN: arn})
	if time.Since(p.At) < planFresh {
		st := p.Status
		j.status = &st
	}
	return j, nil
}

func (e *Engine) job(run store.Run, k estate.Key, rk store.RunKey) *keyJob {
	j := &keyJob{e: e, run: run, key: k, rk: rk, kms: e.securityKMS(k.Region),
		timings: map[string]time.Duration{}}
	j.steps = stepsFor(estate.Strategy(run.Strategy), len(k.Replicas) > 0)
	if run.Strategy == StrategyReimport {
		j.steps = reimportSteps(len(k.Replicas) > 0)
	}
	return j
}

// runKeys runs the jobs as they arrive, Concurrency at a time, and joins
// their errors.
func (e *Engine) runKeys(ctx context.Context, jobs <-chan *keyJob) error {
	n := e.Concurrency
	if n <= 0 {
		n = 8
	}
	sem := make(chan struct{}, n)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := j.execute(ctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// finishRun records the run's outcome: succeeded, or stopped (resumable)
// with the error; a run stopped by Ctrl-C says how to resume.
func (e *Engine) finishRun(ctx context.Context, run store.Run, err error) error {
	bg := context.WithoutCancel(ctx)
	if err == nil {
		return e.Store.SetRunStatus(bg, run.ID, store.StatusSucceeded, "")
	}
	if serr := e.Store.SetRunStatus(bg, run.ID, store.StatusStopped, err.Error()); serr != nil {
		return errors.Join(err, serr)
	}
	return collapseStops(err, run.ID)
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

// execute runs a known set of jobs of run (a resume).
func (e *Engine) execute(ctx context.Context, run store.Run, jobs []*keyJob) error {
	if err := e.Store.SetRunStatus(ctx, run.ID, store.StatusRunning, ""); err != nil {
		return err
	}
	ch := make(chan *keyJob, len(jobs))
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	return e.finishRun(ctx, run, e.runKeys(ctx, ch))
}
