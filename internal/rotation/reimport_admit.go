package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// admitReimport records the run (first material only), locks the key and
// adds it to the run with the material and its HSM object named, so that
// a resumed run knows both from the store.
func (e *Engine) admitReimport(ctx context.Context, run *store.Run, created *bool, it reimportItem) (*keyJob, error) {
	p, m := it.plan, it.material
	arn := p.Status.ARN
	if !e.inEstate(p.Key) {
		return nil, &Refusal{KeyARN: arn, Err: ErrKeyNotInEstate, Hint: "byok re-imports only into the keys the estate file describes"}
	}
	if holder, status, err := e.Store.LockHolder(ctx, arn); err == nil && !status.Finished() && holder != run.ID {
		return nil, &store.LockedError{Key: arn, HeldBy: holder}
	}
	if !*created {
		if err := e.Store.CreateRun(ctx, *run); err != nil {
			return nil, err
		}
		*created = true
	}
	if err := e.Store.AcquireKeyLock(ctx, arn, run.ID); err != nil {
		return nil, err
	}
	if err := e.Store.AddRunKey(ctx, run.ID, arn); err != nil {
		return nil, err
	}
	rk := store.RunKey{RunID: run.ID, KeyARN: arn, OldMaterialID: m.ID, HSMLabel: m.HSMLabel}
	// A kill before this write leaves a run key without its material; the
	// plan step then picks it again from what KMS says.
	err := e.Store.UpdateRunKey(ctx, run.ID, arn, func(k *store.RunKey) error {
		k.OldMaterialID, k.HSMLabel = rk.OldMaterialID, rk.HSMLabel
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e.job(*run, p.Key, rk)
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
