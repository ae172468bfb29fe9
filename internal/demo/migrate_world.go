package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/sandbox/identity"
)

// deployMigrationRole adds the member account's byok-migration role, as
// deploy/member-account.yaml with EnableMigrationRole=true does: trusted
// by the operator role only.
func (s *story) deployMigrationRole(account string) error {
	arn := strings.ReplaceAll(app.DefaultMigrationRole, "{account}", account)
	err := s.w.sb.AddRole(identity.Role{ARN: arn, Account: account, Name: "byok-migration", Trusted: []string{s.w.est.Roles.Operator}})
	if err != nil {
		return fmt.Errorf("deploy the migration role %s: %w", arn, err)
	}
	s.out.ok("deployed %s in %s (trusted by the operator role only)", arn, s.accountName(account))
	return nil
}

// busyIn names what in account is in an RDS transition the sandbox clock
// must move through (creating, backing-up, renaming, stopping…); "" when
// nothing is.
func (s *story) busyIn(ctx context.Context, account string) string {
	c := s.ownerRDS(ctx, account) // the account's own keys: no session to expire as the clock moves
	if out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{}); err == nil {
		for _, db := range out.DBInstances {
			if st := aws.ToString(db.DBInstanceStatus); st != "available" && st != "stopped" {
				return aws.ToString(db.DBInstanceIdentifier) + " " + st
			}
		}
	}
	if out, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{}); err == nil {
		for _, cl := range out.DBClusters {
			if st := aws.ToString(cl.Status); st != "available" && st != "stopped" {
				return aws.ToString(cl.DBClusterIdentifier) + " " + st
			}
		}
	}
	if out, err := c.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{}); err == nil {
		for _, sn := range out.DBSnapshots {
			if aws.ToString(sn.Status) != "available" {
				return aws.ToString(sn.DBSnapshotIdentifier) + " " + aws.ToString(sn.Status)
			}
		}
	}
	if out, err := c.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{}); err == nil {
		for _, sn := range out.DBClusterSnapshots {
			if aws.ToString(sn.Status) != "available" {
				return aws.ToString(sn.DBClusterSnapshotIdentifier) + " " + aws.ToString(sn.Status)
			}
		}
	}
	return ""
}

// driveClock moves the sandbox clock by 30 s whenever something in
// account is in a transition, until stop is called: RDS's minutes pass in
// milliseconds while byok polls, and the clock moves only as far as the
// work needs.
func (s *story) driveClock(account string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if s.busyIn(ctx, account) == "" {
				time.Sleep(2 * time.Millisecond) // nothing to move; byok is between waits
				continue
			}
			s.w.sb.AdvanceClock(30 * time.Second)
		}
	}()
	return func() { cancel(); <-done }
}

// ownerRDS is the consumer account's own RDS client (the resource owner's
// long-term sandbox credentials).
func (s *story) ownerRDS(ctx context.Context, account string) *rds.Client {
	cfg := s.w.sb.Config(ctx, account)
	cfg.Region = s.w.est.PrimaryRegion()
	return rds.NewFromConfig(cfg)
}

// clockMoved drops the cached role sessions of every estate account after
// the demo moved the sandbox clock: the SDK judges a session's expiry by
// the machine's clock, the sandbox by its own, and the two no longer
// agree (against AWS they do).
func (s *story) clockMoved() {
	for _, acct := range s.w.est.Accounts() {
		if cc, ok := s.w.clients.Accounts().For(acct).Credentials.(*aws.CredentialsCache); ok {
			cc.Invalidate()
		}
	}
}
