package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// busyIn reports what in account is in an RDS or DynamoDB transition the
// sandbox clock must move through (creating, backing-up, renaming,
// stopping, starting, a key switch UPDATING); "" when nothing is.
func (fx *fixture) busyIn(ctx context.Context, account string) string {
	c := fx.rds(account)
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
	d := fx.ddb(account)
	if out, err := d.ListTables(ctx, &dynamodb.ListTablesInput{}); err == nil {
		for _, name := range out.TableNames {
			t, err := d.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
			if err == nil && (t.Table.TableStatus != "ACTIVE" || (t.Table.SSEDescription != nil && t.Table.SSEDescription.Status == "UPDATING")) {
				return name + " updating"
			}
		}
	}
	return ""
}

// settle moves the sandbox clock until nothing in account is in a
// transition.
func (fx *fixture) settle(account string) {
	fx.t.Helper()
	for i := 0; fx.busyIn(fx.ctx, account) != ""; i++ {
		if i > 400 {
			fx.t.Fatalf("%s still busy after 200 sandbox minutes", fx.busyIn(fx.ctx, account))
		}
		fx.sb.AdvanceClock(30 * time.Second)
	}
}

// driveClock moves the sandbox clock by 30 s whenever something in
// account is in a transition, until stop is called: AWS's minutes pass in
// milliseconds while byok polls, and the clock moves only as far as the
// work needs (STS sessions stay valid). onBusy, when set, sees each busy
// state first (a test's fault injection).
func (fx *fixture) driveClock(account string, onBusy func(string)) (stop func()) {
	return fx.driveClockBy(account, 30*time.Second, 0, onBusy)
}

// driveClockBy is driveClock moving the clock by step and then pausing
// for pause of real time, so that byok's polls see each state (the
// benchmark: AWS time is then the work's, not byok's reaction time
// multiplied by the clock's speed).
func (fx *fixture) driveClockBy(account string, step, pause time.Duration, onBusy func(string)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			busy := fx.busyIn(ctx, account)
			if busy == "" {
				time.Sleep(2 * time.Millisecond) // nothing to move; byok is between waits
				continue
			}
			if onBusy != nil {
				onBusy(busy)
			}
			fx.sb.AdvanceClock(step)
			if pause > 0 {
				time.Sleep(pause) // pacing the simulated clock, not synchronisation
			}
		}
	}()
	return func() { cancel(); wg.Wait() }
}

// migrationArgs are the flags every migration command of these tests takes.
func migrationArgs(fx *fixture, args ...string) []string {
	return append(args, "--estate", fx.estateFile, "--poll", "2ms", "--wait-timeout", "1m")
}

// runIDFrom is the run ID a migration command printed ("run r-…").
func runIDFrom(t *testing.T, out string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if id, ok := strings.CutPrefix(l, "run r-"); ok {
			return "r-" + strings.Fields(id)[0]
		}
	}
	t.Fatalf("no run ID in:\n%s", out)
	return ""
}

type rdsInstance = rdstypes.DBInstance
type rdsCluster = rdstypes.DBCluster
