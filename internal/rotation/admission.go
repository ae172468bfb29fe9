package rotation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// admission turns the pending keys of a run's request into jobs: it plans
// each key and records, per key, admitted (run key and lock, one
// transaction), refused with the reason, or skipped (not due).
type admission struct {
	e     *Engine
	run   store.Run
	due   bool
	plans []Plan // fresh plans from the caller, by alias and Region

	mu      sync.Mutex
	refused []error
}

// pendingKey is a requested key not decided yet.
type pendingKey struct {
	key estate.Key
	rq  store.RequestKey
}

// runAll admits pending and runs its jobs with the already admitted ones
// (a resume), then records the run's outcome.
func (a *admission) runAll(ctx context.Context, pending []pendingKey, admitted []*keyJob) error {
	jobs := make(chan *keyJob)
	go func() {
		defer close(jobs)
		for _, j := range admitted {
			jobs <- j
		}
		a.admitAll(ctx, pending, jobs)
	}()
	trails := a.e.newTrailWatchers(ctx, a.run.Created)
	runErr := a.e.runKeys(ctx, jobs, trails)
	trails.stop()
	a.mu.Lock()
	refused := a.refused
	a.mu.Unlock()
	return a.e.finishRun(ctx, a.run, runErr, refused)
}

// admitAll plans the keys a few at a time (the limiter paces their calls)
// and admits each as its plan arrives.
func (a *admission) admitAll(ctx context.Context, keys []pendingKey, jobs chan<- *keyJob) {
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, pk := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if j := a.admitter(pk)(ctx, pk); j != nil {
				jobs <- j
			}
		}()
	}
	wg.Wait()
}

// admitter is the admission of a requested key's strategy.
func (a *admission) admitter(pk pendingKey) func(context.Context, pendingKey) *keyJob {
	if resourceProc(pk.rq.Strategy) {
		return a.admitResource
	}
	switch pk.rq.Strategy {
	case Reimport.String():
		return a.admitReimportKey
	case RollbackStrategy.String():
		return a.admitRollbackKey
	case Retire.String(), RetireUndo.String(), ScheduleDeletion.String():
		return a.admitRetireKey
	case ImportFirst.String(), ImportExisting.String():
		return a.admitImportKey
	}
	return a.admitKey
}

// admitKey decides one pending key. A cancelled context leaves it pending
// (the run stops; resume decides it).
func (a *admission) admitKey(ctx context.Context, pk pendingKey) *keyJob {
	k := pk.key
	if ctx.Err() != nil {
		return nil
	}
	p, err := a.plan(ctx, k, pk.rq.Strategy)
	if ctx.Err() != nil {
		return nil
	}
	if err == nil && p.Refused != nil {
		err = p.Refused
	}
	if err != nil && !permanent(err) {
		// A failed read (throttling, expired credentials, a network error)
		// says nothing about the key: it stays pending, the run stops
		// resumable, and byok resume plans it again.
		a.refuse(fmt.Errorf("%s: not admitted yet: %w", k.Alias, err))
		return nil
	}
	if err != nil {
		a.decide(ctx, k, store.AdmissionRefused, err, p.Status.ARN)
		return nil
	}
	if a.due && !p.Due {
		a.decide(ctx, k, store.AdmissionSkipped, errNotDue, p.Status.ARN)
		return nil
	}
	j, err := a.e.job(a.run, k, store.RunKey{RunID: a.run.ID, KeyARN: p.Status.ARN, Strategy: pk.rq.Strategy})
	if err != nil {
		a.decide(ctx, k, store.AdmissionRefused, err, p.Status.ARN)
		return nil
	}
	if err := a.e.sharedAcquire(ctx, p.Status.ARN, a.run.ID); err != nil {
		a.decide(ctx, k, store.AdmissionRefused, fmt.Errorf("%s: %w", k.Alias, err), p.Status.ARN)
		return nil
	}
	if err := a.e.Store.AdmitRequestKey(ctx, a.run.ID, k.Alias, k.Region, p.Status.ARN); err != nil {
		a.e.sharedRelease(ctx, p.Status.ARN, a.run.ID)
		var locked *store.LockedError
		if errors.As(err, &locked) {
			a.decide(ctx, k, store.AdmissionRefused, fmt.Errorf("%s: %w", k.Alias, err), p.Status.ARN)
		} else {
			a.refuse(err)
		}
		return nil
	}
	a.e.failpointAt("admit:after")
	if time.Since(p.At) < planFresh {
		st := p.Status
		j.status = &st
	}
	return j
}

// permanent reports whether a planning error is a verdict on the key (a
// safety refusal, a key outside the estate, an alias or key KMS does not
// have) rather than a failed read.
func permanent(err error) bool {
	var ref *Refusal
	var nf *types.NotFoundException
	return errors.As(err, &ref) || errors.As(err, &nf)
}

// errNotDue is the reason a --due request skips a key.
var errNotDue = errors.New("not due: current material is within the policy's max age")

// plan is the caller's fresh plan of k, or a new one for strategy (a
// rotation key's; a re-import plans with in-place: it only reads the
// materials).
func (a *admission) plan(ctx context.Context, k estate.Key, strategy string) (Plan, error) {
	for _, p := range a.plans {
		if p.Key.Alias == k.Alias && p.Key.Region == k.Region && time.Since(p.At) < planFresh {
			return p, nil
		}
	}
	if s, err := ParseStrategy(strategy); err != nil || (s != InPlace && s != NewKey) {
		strategy = InPlace.String()
	}
	return a.e.planKey(ctx, k, estate.Strategy(strategy))
}

// decide records a refused or skipped key; a refusal is also returned by
// the run.
func (a *admission) decide(ctx context.Context, k estate.Key, adm store.Admission, why error, arn string) {
	if adm == store.AdmissionRefused {
		a.refuse(why)
	}
	if err := a.e.Store.DecideRequestKey(context.WithoutCancel(ctx), a.run.ID, k.Alias, k.Region, adm, why.Error(), arn); err != nil {
		a.refuse(err)
	}
}

func (a *admission) refuse(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refused = append(a.refused, err)
}
