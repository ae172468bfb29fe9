package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// admitReimportKey admits one re-import request: the material it names
// must still be expiring and byok's (else the request is skipped with the
// reason); the key is locked and its run key made with the material and
// the HSM object named, in one transaction (store.AdmitRequestKey).
func (a *admission) admitReimportKey(ctx context.Context, pk pendingKey) *keyJob {
	k, rq := pk.key, pk.rq
	if ctx.Err() != nil {
		return nil
	}
	p, err := a.plan(ctx, k, "")
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		a.refuseMaterial(ctx, pk, err, p.Status.ARN, !permanent(err))
		return nil
	}
	if !a.e.inEstate(k) {
		a.refuseMaterial(ctx, pk, &Refusal{KeyARN: p.Status.ARN, Err: ErrKeyNotInEstate,
			Hint: "byok re-imports only into the keys the estate file describes"}, p.Status.ARN, false)
		return nil
	}
	m, ok := expiringByID(p, rq.MaterialID)
	if !ok {
		a.decide(ctx, k, store.AdmissionSkipped, fmt.Errorf("material %s no longer expires (re-imported already, or gone)", rq.MaterialID), p.Status.ARN)
		return nil
	}
	j, err := a.e.job(a.run, k, store.RunKey{RunID: a.run.ID, KeyARN: p.Status.ARN, OldMaterialID: m.ID, HSMLabel: m.HSMLabel,
		Strategy: Reimport.String()})
	if err == nil {
		err = a.e.sharedAcquire(ctx, p.Status.ARN, a.run.ID)
	}
	if err == nil {
		if err = a.e.Store.AdmitRequestKey(ctx, a.run.ID, k.Alias, k.Region, p.Status.ARN); err != nil {
			a.e.sharedRelease(ctx, p.Status.ARN, a.run.ID)
		}
	}
	if err != nil {
		var locked *store.LockedError
		a.refuseMaterial(ctx, pk, err, p.Status.ARN, !errors.As(err, &locked))
		return nil
	}
	a.e.failpointAt("admit:after")
	return j
}

// refuseMaterial records a refused re-import (or, when transient, leaves
// it pending) and returns its *ReimportError with the run.
func (a *admission) refuseMaterial(ctx context.Context, pk pendingKey, err error, arn string, transient bool) {
	re := &ReimportError{Alias: pk.key.Alias, MaterialID: pk.rq.MaterialID, Err: err, Hint: reimportHint(err, a.run.ID)}
	if transient {
		a.refuse(re)
		return
	}
	a.refuse(re)
	if derr := a.e.Store.DecideRequestKey(context.WithoutCancel(ctx), a.run.ID, pk.key.Alias, pk.key.Region,
		store.AdmissionRefused, err.Error(), arn); derr != nil {
		a.refuse(derr)
	}
}

// expiringByID is the plan's expiring material id, if byok can re-import it.
func expiringByID(p Plan, id string) (ExpiringMaterial, bool) {
	for _, m := range p.Expiring {
		if m.ID == id && m.Reimportable() {
			return m, true
		}
	}
	return ExpiringMaterial{}, false
}

// missingObject is the refusal of a run whose HSM object is not on the
// token: byok never generates material for a re-import.
func missingObject(keyARN, label string, run store.RunID, err error) error {
	return &Refusal{KeyARN: keyARN, Err: fmt.Errorf("HSM object %q: %w", label, err),
		Hint: fmt.Sprintf("the HSM object %q is not on this token: point --hsm (BYOK_HSM) at the token that holds it, then: byok resume %s", label, run)}
}

// reimportHint is the hint for a material refused before its run began.
func reimportHint(err error, run store.RunID) string {
	var locked *store.LockedError
	if errors.As(err, &locked) {
		return fmt.Sprintf("finish run %s first (byok resume %s), then run byok rotate --due again", locked.HeldBy, locked.HeldBy)
	}
	return hintFor(err, run)
}
