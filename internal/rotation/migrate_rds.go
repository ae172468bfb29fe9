package rotation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/byok-dev/byok/internal/store"
)

// The RDS instance method: writes stop (confirmed), a final snapshot, a
// copy of it encrypted under the target key, a restore of the copy under
// a temporary name with the original's placement, then the names swap
// (the original becomes NAME-byok-old-RUN, the restored one NAME, so the
// endpoint clients use keeps its name), verify, and the original is
// stopped and kept for rollback. Nothing is deleted.
//
// Every action is idempotent given what RDS says: the snapshot, copy and
// restored instance have names derived from the run, and the switch
// tells the original from the restored instance by DbiResourceId (which
// survives renames), recorded in the run key.
func init() {
	register(&procedure{strategy: MigrateRDSInstance, resource: true, method: "rds-snapshot-copy-restore", table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).rdsPlan, next: []store.Step{store.StepWritersStopped}},
		{step: store.StepWritersStopped, do: (*keyJob).writersStopped, next: []store.Step{store.StepSnapshot}},
		{step: store.StepSnapshot, do: (*keyJob).rdsSnapshot, next: []store.Step{store.StepCopySnapshot}},
		{step: store.StepCopySnapshot, do: (*keyJob).rdsCopy, next: []store.Step{store.StepRestore}},
		{step: store.StepRestore, do: (*keyJob).rdsRestore, next: []store.Step{store.StepSwitch}},
		{step: store.StepSwitch, do: (*keyJob).rdsSwitch, next: []store.Step{store.StepVerify}},
		{step: store.StepVerify, do: (*keyJob).rdsVerify, next: []store.Step{store.StepStopOld}},
		{step: store.StepStopOld, do: (*keyJob).rdsStopOld, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).rdsRecord, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
}

func (j *keyJob) rdsClient(ctx context.Context) (RDS, error) {
	r, err := j.e.resources()
	if err != nil {
		return nil, err
	}
	s := j.sub()
	return r.RDS(ctx, s.Account, s.Region)
}

// describeInstance is the instance named id, or nil when RDS has none.
func describeInstance(ctx context.Context, c RDS, id string) (*rdstypes.DBInstance, error) {
	out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	var nf *rdstypes.DBInstanceNotFoundFault
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("DescribeDBInstances %s: %w", id, err)
	}
	if len(out.DBInstances) != 1 {
		return nil, nil
	}
	return &out.DBInstances[0], nil
}

// rdsPlan checks the instance can be migrated and records its
// DbiResourceId and key.
func (j *keyJob) rdsPlan(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	s := j.sub()
	if len(migName(s.Name, "old", j.run.ID)) > maxRDSIdentifier {
		return j.refuse(fmt.Errorf("%w: identifier %s is too long for byok's temporary names (%d characters at most)",
			ErrMigrationState, s.Name, maxRDSIdentifier-len(migName("", "old", j.run.ID))))
	}
	db, err := describeInstance(ctx, c, s.Name)
	if err != nil {
		return err
	}
	if db == nil {
		return j.refuse(fmt.Errorf("%w: DB instance %s not found", ErrMigrationState, s.Name))
	}
	if why := instanceUnfit(db); why != "" {
		return j.refuse(fmt.Errorf("%w: %s", ErrMigrationState, why))
	}
	if aws.ToString(db.KmsKeyId) == s.TargetKey {
		return j.refuse(fmt.Errorf("%w: %s is already on %s", ErrMigrationState, s.Name, s.TargetKey))
	}
	j.rk.OldMaterialID, j.rk.OldKeyID = aws.ToString(db.DbiResourceId), aws.ToString(db.KmsKeyId)
	return j.saveMigration(ctx)
}

// instanceUnfit says why the method cannot start from db ("" when it can).
func instanceUnfit(db *rdstypes.DBInstance) string {
	st := aws.ToString(db.DBInstanceStatus)
	switch {
	case db.DBClusterIdentifier != nil:
		return "member of Aurora cluster " + aws.ToString(db.DBClusterIdentifier) + ": migrate the cluster"
	case len(db.ReadReplicaDBInstanceIdentifiers) > 0:
		return "has read replicas (" + strings.Join(db.ReadReplicaDBInstanceIdentifiers, ", ") + "): a restored instance would not carry them; promote or remove them first"
	case db.ReadReplicaSourceDBInstanceIdentifier != nil:
		return "is a read replica of " + aws.ToString(db.ReadReplicaSourceDBInstanceIdentifier)
	case st != "available":
		return "status " + st + "; the method needs available (wait for the change under way to end)"
	}
	return ""
}

// refuse wraps a verdict on the resource as a Refusal with the way out.
func (j *keyJob) refuse(err error) error {
	return &Refusal{KeyARN: j.rk.KeyARN, Err: err,
		Hint: "fix the resource, then: byok migrate resume " + j.run.ID.String() + "; or give the run up: byok runs abandon " + j.run.ID.String() + " --reason …"}
}

func (j *keyJob) rdsSnapshot(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	s := j.sub()
	id := migName(s.Name, "final", j.run.ID)
	sn, err := describeSnapshot(ctx, c, id)
	if err == nil && sn == nil {
		_, err = c.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(s.Name),
			DBSnapshotIdentifier: aws.String(id), Tags: byokTags(j.run.ID)})
		if err != nil {
			err = fmt.Errorf("CreateDBSnapshot %s: %w", id, err)
		}
	}
	if err != nil {
		return err
	}
	return j.waitSnapshot(ctx, c, id, "")
}

func (j *keyJob) rdsCopy(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	s := j.sub()
	src, id := migName(s.Name, "final", j.run.ID), migName(s.Name, "copy", j.run.ID)
	sn, err := describeSnapshot(ctx, c, id)
	if err == nil && sn == nil {
		_, err = c.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(src),
			TargetDBSnapshotIdentifier: aws.String(id), KmsKeyId: aws.String(s.TargetKey), CopyTags: aws.Bool(true)})
		if err != nil {
			err = fmt.Errorf("CopyDBSnapshot %s → %s with KmsKeyId %s: %w", src, id, s.TargetKey, err)
		}
	}
	if err != nil {
		return err
	}
	return j.waitSnapshot(ctx, c, id, s.TargetKey)
}

func describeSnapshot(ctx context.Context, c RDS, id string) (*rdstypes.DBSnapshot, error) {
	out, err := c.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(id)})
	var nf *rdstypes.DBSnapshotNotFoundFault
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("DescribeDBSnapshots %s: %w", id, err)
	}
	if len(out.DBSnapshots) != 1 {
		return nil, nil
	}
	return &out.DBSnapshots[0], nil
}

// waitSnapshot waits for snapshot id to be available (on key, when set).
func (j *keyJob) waitSnapshot(ctx context.Context, c RDS, id, key string) error {
	return j.waitFor(ctx, "DB snapshot "+id+" available", func(ctx context.Context) (bool, string, error) {
		sn, err := describeSnapshot(ctx, c, id)
		if err != nil || sn == nil {
			return false, "not found", err
		}
		if key != "" && aws.ToString(sn.KmsKeyId) != key {
			return false, "", fmt.Errorf("%w: snapshot %s is on %s, want %s", ErrMigrationState, id, aws.ToString(sn.KmsKeyId), key)
		}
		st := aws.ToString(sn.Status)
		return st == "available", "status " + st, nil
	})
}

// byokTags mark what byok created for a run.
func byokTags(run store.RunID) []rdstypes.Tag {
	return []rdstypes.Tag{{Key: aws.String("byok:run"), Value: aws.String(run.String())}}
}
