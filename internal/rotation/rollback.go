package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/store"
)

// ErrNotNewKey is returned when rolling back a run that moved no alias.
var ErrNotNewKey = errors.New("only new-key runs move an alias; an in-place rotation has nothing to roll back (old material stays usable for decryption)")

// Rollback points each alias of a new-key run back at the old key. The
// new key is left as it is (enabled, with its material) so data encrypted
// under it meanwhile stays readable.
func (e *Engine) Rollback(ctx context.Context, id store.RunID) error {
	run, err := e.Store.GetRun(ctx, id)
	if err != nil {
		return err
	}
	if run.Strategy != NewKey.String() {
		return fmt.Errorf("run %s: %w", id, ErrNotNewKey)
	}
	release, err := e.hold(ctx, id) // never beside a process still running it
	if err != nil {
		return err
	}
	defer release()
	rks, err := e.Store.ListRunKeys(ctx, id)
	if err != nil {
		return err
	}
	var errs []error
	for _, rk := range rks {
		if rk.NewKeyID == "" {
			continue // the alias never moved for this key
		}
		errs = append(errs, e.rollbackKey(ctx, run, rk))
	}
	return errors.Join(errs...)
}

func (e *Engine) rollbackKey(ctx context.Context, run store.Run, rk store.RunKey) error {
	k, err := e.estateKeyFor(ctx, rk)
	if err != nil {
		return err
	}
	j, err := e.job(run, k, rk)
	if err != nil {
		return err
	}
	if err := e.Store.BeginStep(ctx, run.ID, rk.KeyARN, store.StepRollback, j.detail()); err != nil {
		return err
	}
	_, err = j.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(k.Alias), TargetKeyId: aws.String(rk.KeyARN)})
	if err == nil {
		_, err = j.kms.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(rk.KeyARN),
			TagKeys: []string{TagSupersededAlias, TagSupersededBy}})
	}
	if err != nil {
		err = fmt.Errorf("roll back alias %s: %w", k.Alias, err)
		_ = e.Store.FailStep(context.WithoutCancel(ctx), run.ID, rk.KeyARN, store.StepRollback, err.Error(), j.detail())
		return err
	}
	return e.Store.EndStep(ctx, run.ID, rk.KeyARN, store.StepRollback, j.detail())
}
