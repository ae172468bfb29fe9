package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// admitImportKey admits one import request by the decision the dry run
// showed (decideImport), made again from what KMS says now: a key that
// meanwhile got what the request asks for is skipped with the reason (the
// run then did nothing, and says so); a refusal is recorded. The key is
// locked (shared lock first, then the local one with the run key, in one
// transaction) like a rotation's.
func (a *admission) admitImportKey(ctx context.Context, pk pendingKey) *keyJob {
	k := pk.key
	if ctx.Err() != nil {
		return nil
	}
	sel, err := decodeSelector(a.run)
	if err != nil {
		a.refuse(err)
		return nil
	}
	st, err := Inspect(ctx, a.e.securityKMS(k.Region), k.AliasARN())
	if ctx.Err() != nil {
		return nil
	}
	if err != nil && !permanent(err) {
		a.refuse(fmt.Errorf("%s: not admitted yet: %w", k.Alias, err))
		return nil
	}
	if err != nil {
		a.decide(ctx, k, store.AdmissionRefused, err, "")
		return nil
	}
	r := ImportRequest{Key: k, Reimport: pk.rq.Strategy == ImportExisting.String(), MaterialID: pk.rq.MaterialID, ValidTo: sel.ValidTo}
	it, err := decideImport(r, st)
	var none *NothingToImportError
	switch {
	case errors.As(err, &none):
		a.decide(ctx, k, store.AdmissionSkipped, err, st.ARN)
		return nil
	case err != nil:
		a.decide(ctx, k, store.AdmissionRefused, err, st.ARN)
		return nil
	case it.Strategy.String() != pk.rq.Strategy:
		a.decide(ctx, k, store.AdmissionRefused, fmt.Errorf("%s: the key now needs %s, not %s: run byok import again", k.Alias, it.Strategy, pk.rq.Strategy), st.ARN)
		return nil
	}
	return a.lockImport(ctx, pk, it)
}

func (a *admission) lockImport(ctx context.Context, pk pendingKey, it Item) *keyJob {
	k := pk.key
	j, err := a.e.job(a.run, k, store.RunKey{RunID: a.run.ID, KeyARN: it.KeyARN, OldMaterialID: it.MaterialID,
		HSMLabel: it.HSMLabel, Strategy: pk.rq.Strategy})
	if err != nil {
		a.decide(ctx, k, store.AdmissionRefused, err, it.KeyARN)
		return nil
	}
	if err := a.e.sharedAcquire(ctx, it.KeyARN, a.run.ID); err != nil {
		a.decide(ctx, k, store.AdmissionRefused, fmt.Errorf("%s: %w", k.Alias, err), it.KeyARN)
		return nil
	}
	if err := a.e.Store.AdmitRequestKey(ctx, a.run.ID, k.Alias, k.Region, it.KeyARN); err != nil {
		a.e.sharedRelease(ctx, it.KeyARN, a.run.ID)
		var locked *store.LockedError
		if errors.As(err, &locked) {
			a.decide(ctx, k, store.AdmissionRefused, fmt.Errorf("%s: %w", k.Alias, err), it.KeyARN)
		} else {
			a.refuse(err)
		}
		return nil
	}
	a.e.failpointAt("admit:after")
	return j
}
