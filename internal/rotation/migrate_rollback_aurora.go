package rotation

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// auroraUnswitch: start the original cluster, move the restored cluster
// and its members away from the names, give them back to the original
// cluster and members. m is the migration's job.
func (m *keyJob) auroraUnswitch(ctx context.Context) error {
	c, err := m.rdsClient(ctx)
	if err != nil {
		return err
	}
	s := m.sub()
	oldName, rb := migName(s.Name, "old", m.run.ID), migName(s.Name, "rb", m.run.ID)
	cur, err := describeCluster(ctx, c, s.Name)
	if err != nil {
		return err
	}
	if cur == nil || aws.ToString(cur.DbClusterResourceId) != m.rk.OldMaterialID {
		if err := m.startCluster(ctx, c, oldName); err != nil {
			return err
		}
		if cur != nil && aws.ToString(cur.DbClusterResourceId) != m.rk.NewMaterialID {
			return fmt.Errorf("%w: %s is held by %s, neither the original nor the restored cluster", ErrMigrationState, s.Name, aws.ToString(cur.DbClusterResourceId))
		}
		if cur != nil {
			if _, err := m.waitCluster(ctx, c, s.Name, m.rk.NewMaterialID); err != nil {
				return err
			}
			if err := renameCluster(ctx, c, s.Name, rb); err != nil {
				return err
			}
			if _, err := m.waitCluster(ctx, c, rb, m.rk.NewMaterialID); err != nil {
				return err
			}
		}
		if err := renameCluster(ctx, c, oldName, s.Name); err != nil {
			return err
		}
	}
	orig, err := m.waitCluster(ctx, c, s.Name, m.rk.OldMaterialID)
	if err != nil {
		return err
	}
	for _, mem := range orig.DBClusterMembers {
		if err := m.unswitchMember(ctx, c, aws.ToString(mem.DBInstanceIdentifier), rb); err != nil {
			return err
		}
	}
	return nil
}

// unswitchMember gives member name (id now, in the original cluster) its
// name back, moving the restored cluster's member away first.
func (m *keyJob) unswitchMember(ctx context.Context, c RDS, id, rbCluster string) error {
	name := m.originalMember(id)
	if id == name {
		_, err := m.waitInstance(ctx, c, id, "")
		return err
	}
	holder, err := describeInstance(ctx, c, name)
	if err != nil {
		return err
	}
	if holder != nil {
		if aws.ToString(holder.DBClusterIdentifier) != rbCluster {
			return fmt.Errorf("%w: %s belongs to %s, not the restored cluster", ErrMigrationState, name, aws.ToString(holder.DBClusterIdentifier))
		}
		if _, err := m.waitInstance(ctx, c, name, ""); err != nil {
			return err
		}
		if err := renameInstance(ctx, c, name, migName(name, "rb", m.run.ID)); err != nil {
			return err
		}
	}
	if _, err := m.waitInstance(ctx, c, id, ""); err != nil {
		return err
	}
	if err := renameInstance(ctx, c, id, name); err != nil {
		return err
	}
	_, err = m.waitInstance(ctx, c, name, "")
	return err
}

func (m *keyJob) startCluster(ctx context.Context, c RDS, id string) error {
	return m.waitFor(ctx, "DB cluster "+id+" started", func(ctx context.Context) (bool, string, error) {
		cl, err := describeCluster(ctx, c, id)
		if err != nil || cl == nil {
			return false, "not found", err
		}
		st := aws.ToString(cl.Status)
		if st == "stopped" {
			if _, err := c.StartDBCluster(ctx, &rds.StartDBClusterInput{DBClusterIdentifier: aws.String(id)}); err != nil {
				return false, st, fmt.Errorf("StartDBCluster %s: %w", id, err)
			}
		}
		return st == "available", "status " + st, nil
	})
}

func (m *keyJob) auroraUnswitchVerify(ctx context.Context, v map[string]any) error {
	c, err := m.rdsClient(ctx)
	if err != nil {
		return err
	}
	s := m.sub()
	cl, err := describeCluster(ctx, c, s.Name)
	if err != nil {
		return err
	}
	if cl == nil || aws.ToString(cl.DbClusterResourceId) != m.rk.OldMaterialID || aws.ToString(cl.Status) != "available" {
		return fmt.Errorf("%w: %s is not the original cluster %s, available", ErrVerification, s.Name, m.rk.OldMaterialID)
	}
	for _, id := range memberIDs(cl) {
		if m.originalMember(id) != id {
			return fmt.Errorf("%w: member %s of %s still has byok's name", ErrVerification, id, s.Name)
		}
	}
	v["endpoint"], v["restored_kept_as"] = aws.ToString(cl.Endpoint), migName(s.Name, "rb", m.run.ID)
	return nil
}
