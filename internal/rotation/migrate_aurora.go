package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/byok-dev/byok/internal/store"
)

// The Aurora cluster method: the RDS instance method with cluster
// snapshots, RestoreDBClusterFromSnapshot, and one CreateDBInstance per
// original member (same class and promotion tier); the switch renames
// the clusters and then the members, so the cluster endpoint and the
// instance names clients use stay. Members are found from the original
// cluster's DBClusterMembers at every step, so nothing but the two
// clusters' resource IDs is kept in the run key.
func init() {
	register(&procedure{strategy: MigrateAuroraCluster, resource: true, method: "aurora-cluster-snapshot-copy-restore", table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).auroraPlan, next: []store.Step{store.StepWritersStopped}},
		{step: store.StepWritersStopped, do: (*keyJob).writersStopped, next: []store.Step{store.StepSnapshot}},
		{step: store.StepSnapshot, do: (*keyJob).auroraSnapshot, next: []store.Step{store.StepCopySnapshot}},
		{step: store.StepCopySnapshot, do: (*keyJob).auroraCopy, next: []store.Step{store.StepRestore}},
		{step: store.StepRestore, do: (*keyJob).auroraRestore, next: []store.Step{store.StepMembers}},
		{step: store.StepMembers, do: (*keyJob).auroraMembers, next: []store.Step{store.StepSwitch}},
		{step: store.StepSwitch, do: (*keyJob).auroraSwitch, next: []store.Step{store.StepVerify}},
		{step: store.StepVerify, do: (*keyJob).auroraVerify, next: []store.Step{store.StepStopOld}},
		{step: store.StepStopOld, do: (*keyJob).auroraStopOld, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).auroraRecord, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
}

func describeCluster(ctx context.Context, c RDS, id string) (*rdstypes.DBCluster, error) {
	out, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	var nf *rdstypes.DBClusterNotFoundFault
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("DescribeDBClusters %s: %w", id, err)
	}
	if len(out.DBClusters) != 1 {
		return nil, nil
	}
	return &out.DBClusters[0], nil
}

func (j *keyJob) auroraPlan(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	s := j.sub()
	cl, err := describeCluster(ctx, c, s.Name)
	if err != nil {
		return err
	}
	switch {
	case cl == nil:
		return j.refuse(fmt.Errorf("%w: DB cluster %s not found", ErrMigrationState, s.Name))
	case aws.ToString(cl.Status) != "available":
		return j.refuse(fmt.Errorf("%w: status %s; the method needs available", ErrMigrationState, aws.ToString(cl.Status)))
	case len(cl.ReadReplicaIdentifiers) > 0:
		return j.refuse(fmt.Errorf("%w: has read replica clusters; promote or remove them first", ErrMigrationState))
	case aws.ToString(cl.KmsKeyId) == s.TargetKey:
		return j.refuse(fmt.Errorf("%w: %s is already on %s", ErrMigrationState, s.Name, s.TargetKey))
	}
	for _, m := range append([]string{s.Name}, memberIDs(cl)...) {
		if len(migName(m, "old", j.run.ID)) > maxRDSIdentifier {
			return j.refuse(fmt.Errorf("%w: identifier %s is too long for byok's temporary names", ErrMigrationState, m))
		}
	}
	j.rk.OldMaterialID, j.rk.OldKeyID = aws.ToString(cl.DbClusterResourceId), aws.ToString(cl.KmsKeyId)
	return j.saveMigration(ctx)
}

func memberIDs(cl *rdstypes.DBCluster) []string {
	var out []string
	for _, m := range cl.DBClusterMembers {
		out = append(out, aws.ToString(m.DBInstanceIdentifier))
	}
	return out
}

func (j *keyJob) auroraSnapshot(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	s := j.sub()
	id := migName(s.Name, "final", j.run.ID)
	sn, err := describeClusterSnapshot(ctx, c, id)
	if err == nil && sn == nil {
		_, err = c.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String(s.Name),
			DBClusterSnapshotIdentifier: aws.String(id), Tags: byokTags(j.run.ID)})
		if err != nil {
			err = fmt.Errorf("CreateDBClusterSnapshot %s: %w", id, err)
		}
	}
	if err != nil {
		return err
	}
	return j.waitClusterSnapshot(ctx, c, id, "")
}

func (j *keyJob) auroraCopy(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	s := j.sub()
	src, id := migName(s.Name, "final", j.run.ID), migName(s.Name, "copy", j.run.ID)
	sn, err := describeClusterSnapshot(ctx, c, id)
	if err == nil && sn == nil {
		_, err = c.CopyDBClusterSnapshot(ctx, &rds.CopyDBClusterSnapshotInput{SourceDBClusterSnapshotIdentifier: aws.String(src),
			TargetDBClusterSnapshotIdentifier: aws.String(id), KmsKeyId: aws.String(s.TargetKey), CopyTags: aws.Bool(true)})
		if err != nil {
			err = fmt.Errorf("CopyDBClusterSnapshot %s → %s with KmsKeyId %s: %w", src, id, s.TargetKey, err)
		}
	}
	if err != nil {
		return err
	}
	return j.waitClusterSnapshot(ctx, c, id, s.TargetKey)
}

func describeClusterSnapshot(ctx context.Context, c RDS, id string) (*rdstypes.DBClusterSnapshot, error) {
	out, err := c.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: aws.String(id)})
	var nf *rdstypes.DBClusterSnapshotNotFoundFault
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("DescribeDBClusterSnapshots %s: %w", id, err)
	}
	if len(out.DBClusterSnapshots) != 1 {
		return nil, nil
	}
	return &out.DBClusterSnapshots[0], nil
}

func (j *keyJob) waitClusterSnapshot(ctx context.Context, c RDS, id, key string) error {
	return j.waitFor(ctx, "DB cluster snapshot "+id+" available", func(ctx context.Context) (bool, string, error) {
		sn, err := describeClusterSnapshot(ctx, c, id)
		if err != nil || sn == nil {
			return false, "not found", err
		}
		if key != "" && aws.ToString(sn.KmsKeyId) != key {
			return false, "", fmt.Errorf("%w: cluster snapshot %s is on %s, want %s", ErrMigrationState, id, aws.ToString(sn.KmsKeyId), key)
		}
		st := aws.ToString(sn.Status)
		return st == "available", "status " + st, nil
	})
}
