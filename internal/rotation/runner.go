package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// Resume continues an unfinished run from its journal.
func (e *Engine) Resume(ctx context.Context, id store.RunID) error {
	run, err := e.Store.GetRun(ctx, id)
	if err != nil {
		return err
	}
	if run.Status == store.StatusSucceeded || run.Status == store.StatusPartial || run.Status == store.StatusRolledBack {
		return fmt.Errorf("run %s already ended %s: %w", id, run.Status, ErrNothingToResume)
	}
	ctx, release, err := e.hold(ctx, id)
	if err != nil {
		return err
	}
	defer release()
	rks, err := e.Store.ListRunKeys(ctx, id)
	if err != nil {
		return err
	}
	var jobs []*keyJob
	for _, rk := range rks {
		k, err := e.runKeyKey(ctx, rk)
		if err != nil {
			return err
		}
		if rk.Step != store.StepDone { // a finished key released its lock; do not take it again
			if err := e.sharedAcquire(ctx, rk.KeyARN, id); err != nil {
				return err
			}
			if err := e.Store.AcquireKeyLock(ctx, rk.KeyARN, id); err != nil {
				return err
			}
		}
		j, err := e.job(run, k, rk)
		if err != nil {
			return err
		}
		jobs = append(jobs, j)
	}
	pending, err := e.pendingKeys(ctx, run)
	if err != nil {
		return err
	}
	sel, err := decodeSelector(run)
	if err != nil {
		return err
	}
	if _, err := e.CheckWatchSource(ctx, resumeItems(jobs, pending)); err != nil {
		return err // the journal is as it was: resume again once the source is there
	}
	if err := e.Store.SetRunStatus(ctx, run.ID, store.StatusRunning, ""); err != nil {
		return err
	}
	a := &admission{e: e, run: run, due: sel.Due}
	return a.runAll(ctx, pending, jobs)
}

// pendingKeys are the estate keys of the run's request that no process
// admitted, refused or skipped yet. A pending key the estate no longer
// describes is refused here with that reason.
func (e *Engine) pendingKeys(ctx context.Context, run store.Run) ([]pendingKey, error) {
	rqs, err := e.Store.ListRequestKeys(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	var out []pendingKey
	for _, rq := range byAdmission(rqs, store.AdmissionPending) {
		if resourceProc(rq.Strategy) {
			sub, err := SubjectAt(rq.Alias, rq.HSMLabel, rq.NewKeyID)
			if err != nil {
				return nil, fmt.Errorf("run %s request %s: %w", run.ID, rq.Alias, err)
			}
			out = append(out, pendingKey{key: sub.key(), rq: rq})
			continue
		}
		k, ok := e.estateKey(rq.Alias, rq.Region)
		if isRetire(rq.Strategy) {
			k, ok = e.retireKey(rq.Alias), true
		}
		if !ok {
			err := e.Store.DecideRequestKey(ctx, run.ID, rq.Alias, rq.Region, store.AdmissionRefused,
				ErrKeyNotInEstate.Error()+" (the estate file changed since the run was requested)", "")
			if err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, pendingKey{key: k, rq: rq})
	}
	return out, nil
}

// ErrNothingToResume is returned for a finished run.
var ErrNothingToResume = errors.New("nothing to resume")

// ErrKeyNotInEstate means a run's key is no longer described by the estate.
var ErrKeyNotInEstate = errors.New("key is not in the estate")

// estateKeyFor finds the estate key whose alias targets the run key (or,
// after a new-key switch, its replacement).
func (e *Engine) estateKeyFor(ctx context.Context, rk store.RunKey) (estate.Key, error) {
	if isRetire(rk.Strategy) {
		return e.retireKey(rk.KeyARN), nil
	}
	for _, k := range e.Estate.Keys() {
		if k.Region != regionOf(rk.KeyARN) {
			continue
		}
		d, err := e.securityKMS(k.Region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.AliasARN())})
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

// runKeyKey is the estate key of a key procedure's run key, or the
// subject stand-in of a resource procedure's.
func (e *Engine) runKeyKey(ctx context.Context, rk store.RunKey) (estate.Key, error) {
	if resourceProc(rk.Strategy) {
		sub, err := subjectOf(rk)
		return sub.key(), err
	}
	return e.estateKeyFor(ctx, rk)
}

// EstateKey returns the estate key a run key belongs to.
func (e *Engine) EstateKey(ctx context.Context, rk store.RunKey) (estate.Key, error) {
	return e.estateKeyFor(ctx, rk)
}

// KeyARN resolves an estate key's alias to the key ARN it targets now.
func (e *Engine) KeyARN(ctx context.Context, k estate.Key) (string, error) {
	d, err := e.securityKMS(k.Region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.AliasARN())})
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", k.Alias, err)
	}
	return aws.ToString(d.KeyMetadata.Arn), nil
}

// estateKey is the estate key with that alias in that Region.
func (e *Engine) estateKey(alias, region string) (estate.Key, bool) {
	for _, k := range e.Estate.Keys() {
		if k.Alias == alias && k.Region == region {
			return k, true
		}
	}
	return estate.Key{}, false
}
