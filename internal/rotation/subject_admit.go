package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// admitResource admits one requested resource of a run (a migration):
// its ARN becomes the run key (journal subject) and is locked, locally in
// the admitting transaction and in the shared state when there is one,
// exactly as a key is. The procedure's first step does the pre-flight
// against what AWS says now.
func (a *admission) admitResource(ctx context.Context, pk pendingKey) *keyJob {
	if ctx.Err() != nil {
		return nil
	}
	sub, err := SubjectAt(pk.rq.Alias, pk.rq.HSMLabel, pk.rq.NewKeyID)
	if err != nil {
		a.decide(ctx, pk.key, store.AdmissionRefused, err, "")
		return nil
	}
	j, err := a.e.job(a.run, pk.key, store.RunKey{RunID: a.run.ID, KeyARN: sub.ARN, NewKeyID: sub.TargetKey,
		HSMLabel: sub.Location(), Strategy: pk.rq.Strategy})
	if err != nil {
		a.decide(ctx, pk.key, store.AdmissionRefused, err, sub.ARN)
		return nil
	}
	if err := a.e.sharedAcquire(ctx, sub.ARN, a.run.ID); err != nil {
		a.decide(ctx, pk.key, store.AdmissionRefused, fmt.Errorf("%s: %w", sub.ARN, err), sub.ARN)
		return nil
	}
	if err := a.e.Store.AdmitRequestKeyOver(ctx, a.run.ID, sub.ARN, pk.key.Region, sub.ARN, a.run.Target); err != nil {
		a.e.sharedRelease(ctx, sub.ARN, a.run.ID)
		var locked *store.LockedError
		if errors.As(err, &locked) {
			a.decide(ctx, pk.key, store.AdmissionRefused, fmt.Errorf("%s: %w", sub.ARN, err), sub.ARN)
		} else {
			a.refuse(err)
		}
		return nil
	}
	a.e.failpointAt("admit:after")
	return j
}
