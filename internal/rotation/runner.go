package rotation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// Request is one `byok rotate`.
type Request struct {
	Keys      []estate.Key
	Strategy  estate.Strategy
	ChangeRef string
}

// PlanKeys inspects each key through its alias in the Security account and
// decides what a rotation would do. It changes nothing.
func (e *Engine) PlanKeys(ctx context.Context, keys []estate.Key, strategy estate.Strategy) ([]Plan, error) {
	var plans []Plan
	now := time.Now()
	for _, k := range keys {
		st, err := Inspect(ctx, e.Clients.KMS(e.Estate.SecurityAccount, k.Region), k.AliasARN())
		if err != nil {
			return plans, fmt.Errorf("plan %s: %w", k.Alias, err)
		}
		plans = append(plans, Decide(k, st, e.Estate.Policy, strategy, "", now))
	}
	return plans, nil
}

// Start records a run for the planned keys, locks them and runs every step.
// Refused keys are not started; their refusals are returned joined.
func (e *Engine) Start(ctx context.Context, req Request) (store.RunID, error) {
	plans, err := e.PlanKeys(ctx, req.Keys, req.Strategy)
	if err != nil {
		return "", err
	}
	var refused []error
	for _, p := range plans {
		if p.Refused != nil {
			refused = append(refused, p.Refused)
		}
	}
	if len(refused) > 0 {
		return "", errors.Join(refused...)
	}
	id := store.NewRunID(time.Now())
	run := store.Run{ID: id, Strategy: string(req.Strategy), ChangeRef: req.ChangeRef, Operator: e.Operator,
		Status: store.StatusPlanned, Created: time.Now()}
	if err := e.Store.CreateRun(ctx, run); err != nil {
		return "", err
	}
	jobs, err := e.newJobs(ctx, run, plans)
	if err != nil {
		_ = e.Store.SetRunStatus(context.WithoutCancel(ctx), id, store.StatusFailed, err.Error())
		return id, err
	}
	return id, e.execute(ctx, run, jobs)
}

func (e *Engine) newJobs(ctx context.Context, run store.Run, plans []Plan) ([]*keyJob, error) {
	var jobs []*keyJob
	for _, p := range plans {
		arn := p.Status.ARN
		if err := e.Store.AcquireKeyLock(ctx, arn, run.ID); err != nil {
			return nil, fmt.Errorf("%s: %w", p.Key.Alias, err)
		}
		if err := e.Store.AddRunKey(ctx, run.ID, arn); err != nil {
			return nil, err
		}
		jobs = append(jobs, e.job(run, p.Key, store.RunKey{RunID: run.ID, KeyARN: arn}))
	}
	return jobs, nil
}

func (e *Engine) job(run store.Run, k estate.Key, rk store.RunKey) *keyJob {
	j := &keyJob{e: e, run: run, key: k, rk: rk, kms: e.Clients.KMS(e.Estate.SecurityAccount, k.Region),
		timings: map[string]time.Duration{}}
	j.steps = stepsFor(estate.Strategy(run.Strategy), len(k.Replicas) > 0)
	return j
}

// execute runs the jobs and records the run's outcome: succeeded, or
// stopped (resumable) with the error.
func (e *Engine) execute(ctx context.Context, run store.Run, jobs []*keyJob) error {
	bg := context.WithoutCancel(ctx)
	if err := e.Store.SetRunStatus(ctx, run.ID, store.StatusRunning, ""); err != nil {
		return err
	}
	err := e.runKeys(ctx, jobs)
	if err == nil {
		return e.Store.SetRunStatus(bg, run.ID, store.StatusSucceeded, "")
	}
	if serr := e.Store.SetRunStatus(bg, run.ID, store.StatusStopped, err.Error()); serr != nil {
		return errors.Join(err, serr)
	}
	var stopped *StoppedError
	if errors.As(err, &stopped) {
		return &StoppedError{RunID: run.ID}
	}
	return err
}

// Resume continues an unfinished run from its journal.
func (e *Engine) Resume(ctx context.Context, id store.RunID) error {
	run, err := e.Store.GetRun(ctx, id)
	if err != nil {
		return err
	}
	if run.Status == store.StatusSucceeded {
		return fmt.Errorf("run %s already succeeded: %w", id, ErrNothingToResume)
	}
	rks, err := e.Store.ListRunKeys(ctx, id)
	if err != nil {
		return err
	}
	var jobs []*keyJob
	for _, rk := range rks {
		k, err := e.estateKeyFor(ctx, rk)
		if err != nil {
			return err
		}
		if err := e.Store.AcquireKeyLock(ctx, rk.KeyARN, id); err != nil {
			return err
		}
		jobs = append(jobs, e.job(run, k, rk))
	}
	return e.execute(ctx, run, jobs)
}

// ErrNothingToResume is returned for a finished run.
var ErrNothingToResume = errors.New("nothing to resume")

// ErrKeyNotInEstate means a run's key is no longer described by the estate.
var ErrKeyNotInEstate = errors.New("key is not in the estate")

// estateKeyFor finds the estate key whose alias targets the run key (or,
// after a new-key switch, its replacement).
func (e *Engine) estateKeyFor(ctx context.Context, rk store.RunKey) (estate.Key, error) {
	for _, k := range e.Estate.Keys() {
		if k.Region != regionOf(rk.KeyARN) {
			continue
		}
		d, err := e.Clients.KMS(e.Estate.SecurityAccount, k.Region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.AliasARN())})
		if err != nil {
			continue
		}
		arn := aws.ToString(d.KeyMetadata.Arn)
		if arn == rk.KeyARN || (rk.NewKeyID != "" && arn == rk.NewKeyID) {
			return k, nil
		}
	}
	return estate.Key{}, fmt.Errorf("%s: %w", rk.KeyARN, ErrKeyNotInEstate)
}

func regionOf(arn string) string {
	var parts [6]string
	n := 0
	start := 0
	for i := 0; i < len(arn) && n < 5; i++ {
		if arn[i] == ':' {
			parts[n] = arn[start:i]
			n++
			start = i + 1
		}
	}
	return parts[3]
}

// EstateKey returns the estate key a run key belongs to.
func (e *Engine) EstateKey(ctx context.Context, rk store.RunKey) (estate.Key, error) {
	return e.estateKeyFor(ctx, rk)
}

// KeyARN resolves an estate key's alias to the key ARN it targets now.
func (e *Engine) KeyARN(ctx context.Context, k estate.Key) (string, error) {
	d, err := e.Clients.KMS(e.Estate.SecurityAccount, k.Region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.AliasARN())})
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", k.Alias, err)
	}
	return aws.ToString(d.KeyMetadata.Arn), nil
}
