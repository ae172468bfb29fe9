package rotation

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// auroraSwitch renames the original cluster to NAME-byok-old-RUN and the
// restored one to NAME, then each original member M to M-byok-old-RUN and
// its replacement to M. Each rename is decided from what RDS says holds
// the name (by resource ID and cluster), so a resumed switch does only
// what is left.
func (j *keyJob) auroraSwitch(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	if err := j.loadMigration(ctx); err != nil {
		return err
	}
	if err := j.switchClusters(ctx, c); err != nil {
		return err
	}
	orig, err := j.originalCluster(ctx, c)
	if err != nil {
		return err
	}
	old := aws.ToString(orig.DBClusterIdentifier)
	for _, m := range orig.DBClusterMembers {
		id := aws.ToString(m.DBInstanceIdentifier)
		if name := j.originalMember(id); id == name {
			if _, err := j.waitInstance(ctx, c, id, ""); err != nil {
				return err
			}
			if err := renameInstance(ctx, c, id, migName(name, "old", j.run.ID)); err != nil {
				return err
			}
			j.e.failpointAt(j.proc.strategy.String() + "/switch:member-renamed")
		}
	}
	for _, m := range orig.DBClusterMembers {
		if err := j.switchMember(ctx, c, j.originalMember(aws.ToString(m.DBInstanceIdentifier)), old); err != nil {
			return err
		}
	}
	return nil
}

func (j *keyJob) switchClusters(ctx context.Context, c RDS) error {
	s := j.sub()
	oldName, newName := migName(s.Name, "old", j.run.ID), migName(s.Name, "new", j.run.ID)
	return j.swapNames(ctx, clusterKind.names(j, c), s.Name, oldName, newName)
}

// switchMember gives name to the replacement of original member name,
// once the original (in cluster old) has left it.
func (j *keyJob) switchMember(ctx context.Context, c RDS, name, old string) error {
	db, err := describeInstance(ctx, c, name)
	if err != nil {
		return err
	}
	if db != nil && aws.ToString(db.DBClusterIdentifier) == old {
		return fmt.Errorf("%w: member %s still belongs to the original cluster %s", ErrMigrationState, name, old)
	}
	if db == nil {
		tmp := migName(name, "new", j.run.ID)
		if _, err := j.waitInstance(ctx, c, tmp, ""); err != nil {
			return err
		}
		if err := renameInstance(ctx, c, tmp, name); err != nil {
			return err
		}
	}
	_, err = j.waitInstance(ctx, c, name, "")
	return err
}

func renameCluster(ctx context.Context, c RDS, from, to string) error {
	_, err := c.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String(from),
		NewDBClusterIdentifier: aws.String(to), ApplyImmediately: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("rename DB cluster %s to %s: %w", from, to, err)
	}
	return nil
}

// auroraVerify reads NAME back: the restored cluster on the target key,
// available, with a member of every original member's name.
func (j *keyJob) auroraVerify(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	if err := j.loadMigration(ctx); err != nil {
		return err
	}
	s := j.sub()
	cl, err := describeCluster(ctx, c, s.Name)
	if err != nil {
		return err
	}
	if cl == nil {
		return fmt.Errorf("%w: cluster %s not found after the switch", ErrVerification, s.Name)
	}
	orig, err := j.originalCluster(ctx, c)
	if err != nil {
		return err
	}
	var want, got []string
	for _, m := range orig.DBClusterMembers {
		want = append(want, j.originalMember(aws.ToString(m.DBInstanceIdentifier)))
	}
	got = memberIDs(cl)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		return fmt.Errorf("%w: %s has members %v, want %v", ErrVerification, s.Name, got, want)
	}
	return j.verifyOn(ctx, s.Name, aws.ToString(cl.DbClusterResourceId), aws.ToString(cl.KmsKeyId),
		aws.ToBool(cl.StorageEncrypted), aws.ToString(cl.Status), aws.ToString(cl.Endpoint))
}

// auroraStopOld stops the original cluster (and its members with it).
func (j *keyJob) auroraStopOld(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	return j.stopOld(ctx, clusterKind.names(j, c))
}

func (j *keyJob) auroraRecord(ctx context.Context) error {
	return j.migrationRecord(ctx, map[string]any{"method": "aurora-cluster-snapshot-copy-restore"})
}
