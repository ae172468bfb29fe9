package rotation

import (
	"context"
	"fmt"
)

// nameOps are the three calls the rename switch needs on one kind of
// RDS resource (an instance or a cluster), by identifier; IDs are the
// resource IDs (DbiResourceId, DbClusterResourceId) that survive renames.
type nameOps struct {
	kind string // "instance" or "cluster", for messages
	// holder is the resource ID holding name ("" when none does).
	holder func(ctx context.Context, name string) (string, error)
	// wait waits until name is held by id and available.
	wait   func(ctx context.Context, name, id string) error
	rename func(ctx context.Context, from, to string) error
	// status is name's status ("" when nothing holds name).
	status func(ctx context.Context, name string) (string, error)
	// stop asks AWS to stop name.
	stop func(ctx context.Context, name string) error
}

// stopOld stops the original (now NAME-byok-old-RUN) and waits until it
// is stopped; it is kept for rollback. An available original is asked to
// stop at each poll until it leaves available, so a resumed step only waits.
func (j *keyJob) stopOld(ctx context.Context, ops nameOps) error {
	old := migName(j.sub().Name, "old", j.run.ID)
	return j.waitFor(ctx, "DB "+ops.kind+" "+old+" stopped", func(ctx context.Context) (bool, string, error) {
		st, err := ops.status(ctx, old)
		if err != nil || st == "" {
			return false, "not found", err
		}
		if st == "available" {
			if err := ops.stop(ctx, old); err != nil {
				return false, st, err
			}
		}
		return st == "stopped", "status " + st, nil
	})
}

// swapNames renames the original (oldID) from name to oldName and the
// restored resource (newID) from newName to name. It reads which
// resource holds name before each rename, so a resumed switch does only
// what is left; a third resource on name is refused.
func (j *keyJob) swapNames(ctx context.Context, ops nameOps, name, oldName, newName string) error {
	oldID, newID := j.rk.OldMaterialID, j.rk.NewMaterialID
	cur, err := ops.holder(ctx, name)
	if err != nil {
		return err
	}
	switch cur {
	case "", newID: // nothing on name yet, or the switch is done
	case oldID:
		if err := ops.wait(ctx, name, oldID); err != nil {
			return err
		}
		if err := ops.rename(ctx, name, oldName); err != nil {
			return err
		}
		j.e.failpointAt(j.proc.strategy.String() + "/switch:original-renamed")
		cur = ""
	default:
		return fmt.Errorf("%w: %s is held by %s, neither the original (%s) nor the restored %s (%s)", ErrMigrationState,
			name, cur, oldID, ops.kind, newID)
	}
	if err := ops.wait(ctx, oldName, oldID); err != nil {
		return err
	}
	if cur == "" {
		if err := ops.wait(ctx, newName, newID); err != nil {
			return err
		}
		if err := ops.rename(ctx, newName, name); err != nil {
			return err
		}
	}
	return ops.wait(ctx, name, newID)
}
