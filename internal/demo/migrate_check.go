package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/retire"
)

// rdsFacts is what clients see of an RDS instance or Aurora cluster.
type rdsFacts struct {
	Name, Endpoint, Key, Status string
}

// rdsState describes the instance or cluster of a plan item by its name,
// as the resource owner does (the consumer account's read-only role).
func (s *story) rdsState(ctx context.Context, it migrate.Item) (rdsFacts, error) {
	c := s.w.clients.RDS(it.Account, it.Region)
	switch it.Method {
	case migrate.MethodRDSInstance:
		out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(it.Name)})
		if err != nil || len(out.DBInstances) != 1 {
			return rdsFacts{}, fmt.Errorf("describe RDS instance %s: %d found, %w", it.Name, lenOr0(out, func(o *rds.DescribeDBInstancesOutput) int { return len(o.DBInstances) }), err)
		}
		db := out.DBInstances[0]
		f := rdsFacts{Name: aws.ToString(db.DBInstanceIdentifier), Key: aws.ToString(db.KmsKeyId), Status: aws.ToString(db.DBInstanceStatus)}
		if db.Endpoint != nil {
			f.Endpoint = aws.ToString(db.Endpoint.Address)
		}
		return f, nil
	case migrate.MethodAuroraCluster:
		out, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(it.Name)})
		if err != nil || len(out.DBClusters) != 1 {
			return rdsFacts{}, fmt.Errorf("describe Aurora cluster %s: %d found, %w", it.Name, lenOr0(out, func(o *rds.DescribeDBClustersOutput) int { return len(o.DBClusters) }), err)
		}
		cl := out.DBClusters[0]
		return rdsFacts{Name: aws.ToString(cl.DBClusterIdentifier), Endpoint: aws.ToString(cl.Endpoint), Key: aws.ToString(cl.KmsKeyId), Status: aws.ToString(cl.Status)}, nil
	}
	return rdsFacts{}, nil
}

func lenOr0[T any](p *T, n func(*T) int) int {
	if p == nil {
		return 0
	}
	return n(p)
}

// captureBefore records each RDS item's name and endpoint before the
// migration, to prove the clients' names survive it.
func (s *story) captureBefore(ctx context.Context, items []migrate.Item) error {
	s.rdsBefore = map[string]rdsFacts{}
	for _, it := range items {
		f, err := s.rdsState(ctx, it)
		if err != nil {
			return err
		}
		if f.Name != "" {
			s.rdsBefore[it.ARN] = f
		}
	}
	return nil
}

// checkMigrated proves each migrated database answers under its original
// identifier and endpoint, available, encrypted under the new key.
func (s *story) checkMigrated(ctx context.Context, items []migrate.Item) error {
	for _, it := range items {
		before, ok := s.rdsBefore[it.ARN]
		if !ok {
			continue
		}
		after, err := s.rdsState(ctx, it)
		if err != nil {
			return err
		}
		if !retire.SameKey(after.Key, it.TargetKey) || after.Status != "available" {
			return fmt.Errorf("%s %s is %s on %s after the migration, want available on %s", it.Type, it.Name, after.Status, after.Key, it.TargetKey)
		}
		kept := after.Name == before.Name && after.Endpoint == before.Endpoint
		if !kept {
			return fmt.Errorf("%s %s answers as %s at %q after the migration, want %s at %q", it.Type, it.Name, after.Name, after.Endpoint, before.Name, before.Endpoint)
		}
		for i := range s.rep.Migrations {
			if m := &s.rep.Migrations[i]; m.ARN == it.ARN {
				m.Identifier, m.Endpoint, m.IdentifierKept = after.Name, after.Endpoint, kept
			}
		}
		s.out.ok("%s %s: same identifier and endpoint %s, available, on the new key", it.Type, it.Name, after.Endpoint)
	}
	return nil
}
