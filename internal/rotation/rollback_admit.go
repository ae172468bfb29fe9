package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// admitRollbackKey admits one key of a rollback run: the old key of the
// target run's key that created NewKeyID. A stopped target's lock on the
// key passes to the rollback run in the admitting transaction.
func (a *admission) admitRollbackKey(ctx context.Context, pk pendingKey) *keyJob {
	if ctx.Err() != nil {
		return nil
	}
	old, err := a.rolledBackKey(ctx, pk.rq.NewKeyID)
	if err != nil {
		a.decide(ctx, pk.key, store.AdmissionRefused, err, "")
		return nil
	}
	j, err := a.e.job(a.run, pk.key, store.RunKey{RunID: a.run.ID, KeyARN: old, NewKeyID: pk.rq.NewKeyID,
		Strategy: RollbackStrategy.String()})
	if err == nil {
		err = a.e.Store.AdmitRequestKeyOver(ctx, a.run.ID, pk.key.Alias, pk.key.Region, old, a.run.Target)
	}
	if err != nil {
		var locked *store.LockedError
		if errors.As(err, &locked) {
			a.decide(ctx, pk.key, store.AdmissionRefused, fmt.Errorf("%s: %w", pk.key.Alias, err), old)
		} else {
			a.refuse(err)
		}
		return nil
	}
	a.e.failpointAt("admit:after")
	return j
}

// rolledBackKey is the key the target run replaced by newKey.
func (a *admission) rolledBackKey(ctx context.Context, newKey string) (string, error) {
	rks, err := a.e.Store.ListRunKeys(ctx, a.run.Target)
	if err != nil {
		return "", err
	}
	for _, rk := range rks {
		if rk.NewKeyID == newKey && newKey != "" {
			return rk.KeyARN, nil
		}
	}
	return "", fmt.Errorf("run %s created no key %s: %w", a.run.Target, newKey, ErrNotNewKey)
}
