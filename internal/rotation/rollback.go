package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// ErrNotNewKey is returned when rolling back a run that moved no alias.
var ErrNotNewKey = errors.New("only new-key runs move an alias; an in-place rotation has nothing to roll back (old material stays usable for decryption)")

// ErrAlreadyRolledBack: the run was rolled back already; a second
// rollback changes nothing.
var ErrAlreadyRolledBack = errors.New("run was already rolled back")

// ErrRollbackTarget: a run that is itself a rollback cannot be rolled back.
var ErrRollbackTarget = errors.New("a rollback run cannot be rolled back; rotate the key again instead")

// AlreadyRolledBackError names the rollback run that did it.
type AlreadyRolledBackError struct {
	RunID store.RunID
	By    store.RunID // "" when the rollback run is not found
}

func (e *AlreadyRolledBackError) Error() string {
	if e.By == "" {
		return fmt.Sprintf("run %s: %v; nothing to do", e.RunID, ErrAlreadyRolledBack)
	}
	return fmt.Sprintf("run %s: %v by run %s; nothing to do", e.RunID, ErrAlreadyRolledBack, e.By)
}

func (e *AlreadyRolledBackError) Unwrap() error { return ErrAlreadyRolledBack }

// PrepareRollback decides the rollback of new-key run id: one item per key
// whose alias the run moved (it created a new key), following the
// rollback procedure. It changes nothing; a dry run prints its items and
// Rollback runs exactly them.
func (e *Engine) PrepareRollback(ctx context.Context, id store.RunID) (Prepared, error) {
	run, err := e.Store.GetRun(ctx, id)
	if err != nil {
		return Prepared{}, err
	}
	if err := e.rollbackable(ctx, run); err != nil {
		return Prepared{}, err
	}
	rks, err := e.Store.ListRunKeys(ctx, id)
	if err != nil {
		return Prepared{}, err
	}
	p := Prepared{Strategy: estate.Strategy(RollbackStrategy.String()), ChangeRef: "rollback of " + id.String(), Target: id}
	for _, rk := range rks {
		if rk.Strategy != NewKey.String() || rk.NewKeyID == "" {
			continue // the alias never moved for this key
		}
		k, err := e.estateKeyFor(ctx, rk)
		if err != nil {
			return Prepared{}, err
		}
		p.Items = append(p.Items, Item{Key: k, KeyARN: rk.KeyARN, NewKeyID: rk.NewKeyID, Strategy: RollbackStrategy,
			Admission: store.AdmissionAdmitted, Steps: Steps(RollbackStrategy, false)})
	}
	if len(p.Items) == 0 {
		return p, fmt.Errorf("run %s: %w", id, ErrNotNewKey)
	}
	return p, nil
}

// rollbackable refuses a run that is not a new-key run or was rolled back.
func (e *Engine) rollbackable(ctx context.Context, run store.Run) error {
	if run.Status == store.StatusRolledBack {
		return &AlreadyRolledBackError{RunID: run.ID, By: e.rolledBackBy(ctx, run.ID)}
	}
	if run.Target != "" || run.Strategy == RollbackStrategy.String() {
		return fmt.Errorf("run %s: %w", run.ID, ErrRollbackTarget)
	}
	return nil
}

// rolledBackBy is the newest rollback run whose target is id.
func (e *Engine) rolledBackBy(ctx context.Context, id store.RunID) store.RunID {
	runs, err := e.Store.ListRuns(ctx)
	if err != nil {
		return ""
	}
	for _, r := range runs {
		if r.Target == id {
			return r.ID
		}
	}
	return ""
}

// Rollback points each alias of new-key run id back at the old key, as a
// journaled run of the rollback procedure (Target id): its request is
// written before any work, each step journaled, every key audited with
// outcome rolled-back, and id is marked rolled-back when every key is
// done. The new key is left as it is (enabled, with its material) so data
// encrypted under it meanwhile stays readable. A second rollback is an
// *AlreadyRolledBackError.
func (e *Engine) Rollback(ctx context.Context, id store.RunID) (store.RunID, error) {
	p, err := e.PrepareRollback(ctx, id)
	if err != nil {
		return "", err
	}
	return e.RollbackPrepared(ctx, p)
}

// RollbackPrepared runs a rollback decided by PrepareRollback (the one a
// dry run printed). It holds the target run meanwhile, so no process
// resumes it beside the rollback.
func (e *Engine) RollbackPrepared(ctx context.Context, p Prepared) (store.RunID, error) {
	if p.Target == "" {
		return "", fmt.Errorf("not a rollback: %w", ErrNotNewKey)
	}
	ctx, release, err := e.hold(ctx, p.Target)
	if err != nil {
		return "", err
	}
	defer release()
	// Checked again under the hold: another rollback may have ended since.
	if run, err := e.Store.GetRun(ctx, p.Target); err != nil {
		return "", err
	} else if err := e.rollbackable(ctx, run); err != nil {
		return "", err
	}
	out := e.ExecutePrepared(ctx, p, nil)
	return out.Run, out.Err
}
