package rotation

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// originalCluster is the cluster this run snapshotted, under whichever
// name it has now (NAME before the switch, NAME-byok-old-RUN after).
func (j *keyJob) originalCluster(ctx context.Context, c RDS) (*rdstypes.DBCluster, error) {
	s := j.sub()
	for _, name := range []string{s.Name, migName(s.Name, "old", j.run.ID)} {
		cl, err := describeCluster(ctx, c, name)
		if err != nil {
			return nil, err
		}
		if cl != nil && aws.ToString(cl.DbClusterResourceId) == j.rk.OldMaterialID {
			return cl, nil
		}
	}
	return nil, fmt.Errorf("%w: the original cluster %s (%s) is under neither of its names", ErrMigrationState, s.Name, j.rk.OldMaterialID)
}

// originalMember is a member's name before byok renamed it.
func (j *keyJob) originalMember(id string) string {
	return strings.TrimSuffix(id, "-byok-old-"+runShort(j.run.ID))
}

func (j *keyJob) auroraRestore(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	if err := j.loadMigration(ctx); err != nil {
		return err
	}
	s := j.sub()
	newName := migName(s.Name, "new", j.run.ID)
	nw, err := describeCluster(ctx, c, newName)
	if err != nil {
		return err
	}
	if nw == nil {
		orig, err := j.originalCluster(ctx, c)
		if err != nil {
			return err
		}
		in := &rds.RestoreDBClusterFromSnapshotInput{DBClusterIdentifier: aws.String(newName),
			SnapshotIdentifier: aws.String(migName(s.Name, "copy", j.run.ID)), Engine: orig.Engine,
			EngineVersion: orig.EngineVersion, DBSubnetGroupName: orig.DBSubnetGroup, Port: orig.Port,
			DBClusterParameterGroupName: orig.DBClusterParameterGroup,
			Tags:                        append(orig.TagList, rdstypes.Tag{Key: aws.String("byok:migrated-by"), Value: aws.String(j.run.ID.String())})}
		for _, sg := range orig.VpcSecurityGroups {
			in.VpcSecurityGroupIds = append(in.VpcSecurityGroupIds, aws.ToString(sg.VpcSecurityGroupId))
		}
		if _, err := c.RestoreDBClusterFromSnapshot(ctx, in); err != nil {
			return fmt.Errorf("RestoreDBClusterFromSnapshot %s: %w", newName, err)
		}
	}
	cl, err := j.waitCluster(ctx, c, newName, "")
	if err != nil {
		return err
	}
	j.rk.NewMaterialID = aws.ToString(cl.DbClusterResourceId)
	return j.saveMigration(ctx)
}

// auroraMembers creates MEMBER-byok-new-RUN in the restored cluster for
// every original member, with its class and promotion tier (the writer
// first, so it is the writer of the new cluster too), and waits for all.
func (j *keyJob) auroraMembers(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	if err := j.loadMigration(ctx); err != nil {
		return err
	}
	orig, err := j.originalCluster(ctx, c)
	if err != nil {
		return err
	}
	newCluster := migName(j.sub().Name, "new", j.run.ID)
	var names []string
	for _, m := range writerFirst(orig.DBClusterMembers) {
		name := migName(j.originalMember(aws.ToString(m.DBInstanceIdentifier)), "new", j.run.ID)
		names = append(names, name)
		if err := j.createMember(ctx, c, orig, m, name, newCluster); err != nil {
			return err
		}
	}
	for _, name := range names {
		if _, err := j.waitInstance(ctx, c, name, ""); err != nil {
			return err
		}
	}
	return nil
}

func writerFirst(ms []rdstypes.DBClusterMember) []rdstypes.DBClusterMember {
	var out []rdstypes.DBClusterMember
	for _, m := range ms {
		if aws.ToBool(m.IsClusterWriter) {
			out = append(out, m)
		}
	}
	for _, m := range ms {
		if !aws.ToBool(m.IsClusterWriter) {
			out = append(out, m)
		}
	}
	return out
}

// createMember creates name like member m of orig, unless it exists.
func (j *keyJob) createMember(ctx context.Context, c RDS, orig *rdstypes.DBCluster, m rdstypes.DBClusterMember, name, cluster string) error {
	if db, err := describeInstance(ctx, c, name); err != nil || db != nil {
		return err
	}
	src, err := describeInstance(ctx, c, aws.ToString(m.DBInstanceIdentifier))
	if err != nil {
		return err
	}
	if src == nil {
		return fmt.Errorf("%w: member %s of %s not found", ErrMigrationState, aws.ToString(m.DBInstanceIdentifier), aws.ToString(orig.DBClusterIdentifier))
	}
	_, err = c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(name),
		DBClusterIdentifier: aws.String(cluster), Engine: orig.Engine, DBInstanceClass: src.DBInstanceClass,
		PromotionTier: m.PromotionTier, Tags: append(src.TagList, byokTags(j.run.ID)...)})
	if err != nil {
		return fmt.Errorf("CreateDBInstance %s in %s: %w", name, cluster, err)
	}
	return nil
}
