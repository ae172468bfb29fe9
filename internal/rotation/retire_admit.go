package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// isRetire reports whether strategy name is one of the retire procedures,
// whose request names the key by ARN (no alias points at a retired key).
func isRetire(name string) bool {
	return name == Retire.String() || name == RetireUndo.String() || name == ScheduleDeletion.String()
}

// retireKey is the estate.Key a retire job runs under: the Security
// account's key in its Region, named by its ARN.
func (e *Engine) retireKey(keyARN string) estate.Key {
	return estate.Key{Alias: keyARN, Account: e.Estate.SecurityAccount, Region: regionOf(keyARN)}
}

// admitRetireKey admits the key of a retire request: the local and shared
// key locks, in the admitting transaction. The evidence is judged by the
// plan step, under the lock.
func (a *admission) admitRetireKey(ctx context.Context, pk pendingKey) *keyJob {
	if ctx.Err() != nil {
		return nil
	}
	arn := pk.rq.Alias
	j, err := a.e.job(a.run, pk.key, store.RunKey{RunID: a.run.ID, KeyARN: arn, Strategy: pk.rq.Strategy})
	if err != nil {
		a.decide(ctx, pk.key, store.AdmissionRefused, err, arn)
		return nil
	}
	if err := a.e.sharedAcquire(ctx, arn, a.run.ID); err != nil {
		a.decide(ctx, pk.key, store.AdmissionRefused, fmt.Errorf("%s: %w", arn, err), arn)
		return nil
	}
	if err := a.e.Store.AdmitRequestKey(ctx, a.run.ID, arn, pk.key.Region, arn); err != nil {
		a.e.sharedRelease(ctx, arn, a.run.ID)
		var locked *store.LockedError
		if errors.As(err, &locked) {
			a.decide(ctx, pk.key, store.AdmissionRefused, fmt.Errorf("%s: %w", arn, err), arn)
		} else {
			a.refuse(err)
		}
		return nil
	}
	a.e.failpointAt("admit:after")
	return j
}

// RetirePrepared runs a retire plan PrepareRetire decided (the one a dry
// run printed) as a journaled run: request first, then the key lock, then
// each step. A blocked plan is not run.
func (e *Engine) RetirePrepared(ctx context.Context, rp RetirePlan) (store.RunID, error) {
	if rp.Blocked != nil {
		return "", rp.Blocked
	}
	out := e.ExecutePrepared(ctx, rp.Prepared, nil)
	return out.Run, out.Err
}
