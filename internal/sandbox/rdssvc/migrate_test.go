package rdssvc_test

import (
	"context"
	"github.com/byok-dev/byok/internal/sandbox"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
)

func instanceStatus(t *testing.T, e *env, id string) types.DBInstance {
	t.Helper()
	out, err := e.main.DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil {
		t.Fatalf("describe %s: %v", id, err)
	}
	return out.DBInstances[0]
}

func wantStatus(t *testing.T, e *env, id, want string) types.DBInstance {
	t.Helper()
	d := instanceStatus(t, e, id)
	if got := aws.ToString(d.DBInstanceStatus); got != want {
		t.Fatalf("%s status = %s, want %s", id, got, want)
	}
	return d
}

// TestInstanceMigrationStates walks the RDS instance re-key with the
// states RDS reports on the way, driven by the sandbox clock: the restore
// keeps the original's placement, the rename moves the endpoint address,
// and the old instance stops.
func TestInstanceMigrationStates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	clock := e.srv.Env.Clock
	createPG(t, e.main, "app", true, "alias/dev/rds")
	_, err := e.main.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("app"), DBSnapshotIdentifier: aws.String("final")})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e, "app", "backing-up")
	_, err = e.main.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("final"), TargetDBSnapshotIdentifier: aws.String("rekeyed"), KmsKeyId: aws.String(newKey)})
	mustCode(t, err, "InvalidDBSnapshotState")
	_, err = e.main.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("app")})
	mustCode(t, err, "InvalidDBInstanceState")
	clock.Advance(rdssvc.DurSnapshot)
	wantStatus(t, e, "app", "available")
	cp, err := e.main.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("final"), TargetDBSnapshotIdentifier: aws.String("rekeyed"), KmsKeyId: aws.String(newKey)})
	if err != nil || aws.ToString(cp.DBSnapshot.Status) != "creating" || aws.ToString(cp.DBSnapshot.KmsKeyId) != newKey {
		t.Fatalf("copy = %+v, %v; want creating on the new key", cp, err)
	}
	clock.Advance(rdssvc.DurCopy)
	restored, err := e.main.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{
		DBInstanceIdentifier: aws.String("app-new"), DBSnapshotIdentifier: aws.String("rekeyed"),
		DBInstanceClass: aws.String("db.r6g.large"), DBSubnetGroupName: aws.String("app-subnets"),
		DBParameterGroupName: aws.String("app-params"), OptionGroupName: aws.String("app-options"),
		VpcSecurityGroupIds: []string{"sg-1", "sg-2"}, MultiAZ: aws.Bool(true), Port: aws.Int32(6543),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}})
	if err != nil || aws.ToString(restored.DBInstance.DBInstanceStatus) != "creating" {
		t.Fatalf("restore = %v, %v; want creating", restored, err)
	}
	clock.Advance(rdssvc.DurRestore)
	wantStatus(t, e, "app-new", "backing-up")
	clock.Advance(rdssvc.DurBackup)
	d := wantStatus(t, e, "app-new", "available")
	checkPlacement(t, d)
	rename(t, e, "app", "app-byok-old-r1")
	rename(t, e, "app-new", "app")
	clock.Advance(rdssvc.DurRename)
	d = wantStatus(t, e, "app", "available")
	if aws.ToString(d.KmsKeyId) != newKey || !strings.HasPrefix(aws.ToString(d.Endpoint.Address), "app.") {
		t.Fatalf("after switch: key %s endpoint %s", aws.ToString(d.KmsKeyId), aws.ToString(d.Endpoint.Address))
	}
	if _, err := e.main.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("app-byok-old-r1")}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e, "app-byok-old-r1", "stopping")
	clock.Advance(rdssvc.DurStop)
	wantStatus(t, e, "app-byok-old-r1", "stopped")
	_, err = e.main.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("app-byok-old-r1")})
	mustCode(t, err, "InvalidDBInstanceState")
	if _, err := e.main.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("app-byok-old-r1")}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(rdssvc.DurStart)
	wantStatus(t, e, "app-byok-old-r1", "available")
}

func rename(t *testing.T, e *env, from, to string) {
	t.Helper()
	out, err := e.main.ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(from),
		NewDBInstanceIdentifier: aws.String(to), ApplyImmediately: aws.Bool(true)})
	if err != nil {
		t.Fatalf("rename %s → %s: %v", from, to, err)
	}
	if got := aws.ToString(out.DBInstance.DBInstanceStatus); got != "renaming" {
		t.Fatalf("rename status = %s, want renaming", got)
	}
	if !strings.HasPrefix(aws.ToString(out.DBInstance.Endpoint.Address), to+".") {
		t.Fatalf("endpoint %s does not follow the new identifier %s", aws.ToString(out.DBInstance.Endpoint.Address), to)
	}
}

func checkPlacement(t *testing.T, d types.DBInstance) {
	t.Helper()
	got := map[string]any{
		"class": aws.ToString(d.DBInstanceClass), "subnet group": aws.ToString(d.DBSubnetGroup.DBSubnetGroupName),
		"parameter group": aws.ToString(d.DBParameterGroups[0].DBParameterGroupName),
		"option group":    aws.ToString(d.OptionGroupMemberships[0].OptionGroupName),
		"security groups": len(d.VpcSecurityGroups), "multi-AZ": aws.ToBool(d.MultiAZ),
		"port": aws.ToInt32(d.Endpoint.Port), "tag": aws.ToString(d.TagList[0].Value), "key": aws.ToString(d.KmsKeyId)}
	want := map[string]any{"class": "db.r6g.large", "subnet group": "app-subnets", "parameter group": "app-params",
		"option group": "app-options", "security groups": 2, "multi-AZ": true, "port": int32(6543), "tag": "orders", "key": newKey}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("restored %s = %v, want %v", k, got[k], w)
		}
	}
}

// TestClusterMigrationStates walks the Aurora re-key: cluster snapshot,
// copy with the new key, restore, members with their class and promotion
// tier, cluster renames (members follow), stop.
func TestClusterMigrationStates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	clock := e.srv.Env.Clock
	if _, err := e.main.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("orders"), Engine: aws.String("aurora-postgresql"),
		StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String("alias/dev/rds"), MasterUsername: aws.String("admin")}); err != nil {
		t.Fatal(err)
	}
	member(t, e, "orders", "orders-1", 0)
	clock.Advance(rdssvc.DurMember)
	_, err := e.main.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("orders"), DBClusterSnapshotIdentifier: aws.String("final")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.main.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("orders"), DBClusterSnapshotIdentifier: aws.String("again")})
	mustCode(t, err, "InvalidDBClusterStateFault")
	clock.Advance(rdssvc.DurSnapshot)
	_, err = e.main.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("orders"), DBClusterSnapshotIdentifier: aws.String("final")})
	mustCode(t, err, "DBClusterSnapshotAlreadyExistsFault")
	_, err = e.main.CopyDBClusterSnapshot(ctx, &rds.CopyDBClusterSnapshotInput{SourceDBClusterSnapshotIdentifier: aws.String("final"), TargetDBClusterSnapshotIdentifier: aws.String("x"), KmsKeyId: aws.String("alias/nope")})
	mustCode(t, err, "KMSKeyNotAccessibleFault")
	if _, err := e.main.CopyDBClusterSnapshot(ctx, &rds.CopyDBClusterSnapshotInput{SourceDBClusterSnapshotIdentifier: aws.String("final"),
		TargetDBClusterSnapshotIdentifier: aws.String("rekeyed"), KmsKeyId: aws.String(newKey)}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(rdssvc.DurCopy)
	snaps, err := e.main.DescribeDBClusterSnapshots(ctx, &rds.DescribeDBClusterSnapshotsInput{DBClusterIdentifier: aws.String("orders")})
	if err != nil || len(snaps.DBClusterSnapshots) != 2 {
		t.Fatalf("cluster snapshots = %v, %v; want 2", snaps, err)
	}
	if _, err := e.main.RestoreDBClusterFromSnapshot(ctx, &rds.RestoreDBClusterFromSnapshotInput{DBClusterIdentifier: aws.String("orders-new"),
		SnapshotIdentifier: aws.String("rekeyed"), Engine: aws.String("aurora-postgresql"), DBSubnetGroupName: aws.String("subnets"),
		VpcSecurityGroupIds: []string{"sg-9"}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(rdssvc.DurRestore)
	member(t, e, "orders-new", "orders-new-1", 0)
	member(t, e, "orders-new", "orders-new-2", 2)
	clock.Advance(rdssvc.DurMember)
	renameCluster(t, e, "orders", "orders-byok-old-r1")
	renameCluster(t, e, "orders-new", "orders")
	clock.Advance(rdssvc.DurRename)
	cl := describeCluster(t, e, "orders")
	if aws.ToString(cl.KmsKeyId) != newKey || aws.ToString(cl.Status) != "available" || len(cl.DBClusterMembers) != 2 ||
		aws.ToInt32(cl.DBClusterMembers[1].PromotionTier) != 2 || !strings.HasPrefix(aws.ToString(cl.Endpoint), "orders.cluster-") {
		t.Fatalf("switched cluster = %+v", cl)
	}
	if _, err := e.main.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("orders-byok-old-r1")}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(rdssvc.DurStop)
	if old := describeCluster(t, e, "orders-byok-old-r1"); aws.ToString(old.Status) != "stopped" || len(old.DBClusterMembers) != 1 {
		t.Fatalf("old cluster = %+v, want stopped with its member", old)
	}
	wantStatus(t, e, "orders-1", "stopped")
}

func member(t *testing.T, e *env, cluster, id string, tier int32) {
	t.Helper()
	if _, err := e.main.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
		DBClusterIdentifier: aws.String(cluster), Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large"),
		PromotionTier: aws.Int32(tier)}); err != nil {
		t.Fatalf("member %s: %v", id, err)
	}
}

func renameCluster(t *testing.T, e *env, from, to string) {
	t.Helper()
	out, err := e.main.ModifyDBCluster(context.Background(), &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String(from),
		NewDBClusterIdentifier: aws.String(to), ApplyImmediately: aws.Bool(true)})
	if err != nil || aws.ToString(out.DBCluster.Status) != "renaming" {
		t.Fatalf("rename cluster %s → %s: %+v, %v", from, to, out, err)
	}
}

func describeCluster(t *testing.T, e *env, id string) types.DBCluster {
	t.Helper()
	out, err := e.main.DescribeDBClusters(context.Background(), &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return out.DBClusters[0]
}

// TestTransitionSurvivesRestart: a rename under way when the sandbox stops
// is still renaming after a restart and ends available on the clock.
func TestTransitionSurvivesRestart(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	path := filepath.Join(t.TempDir(), "state.jsonl")
	s, err := sandbox.New(sandbox.Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	r, err := rdssvc.New(s.Env, keys)
	if err != nil {
		t.Fatal(err)
	}
	s.Register(r)
	ts := httptest.NewServer(s)
	c := client(t, s, ts.URL, acct)
	createPG(t, c, "db1", true, keyARN)
	if _, err := c.StopDBInstance(context.Background(), &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("db1")}); err != nil {
		t.Fatal(err)
	}
	ts.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := sandbox.New(sandbox.Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	r2, err := rdssvc.New(s2.Env, keys)
	if err != nil {
		t.Fatal(err)
	}
	s2.Register(r2)
	ts2 := httptest.NewServer(s2)
	defer ts2.Close()
	e := &env{srv: s2, rds: r2, url: ts2.URL, main: client(t, s2, ts2.URL, acct)}
	wantStatus(t, e, "db1", "stopping")
	s2.Env.Clock.Advance(rdssvc.DurStop)
	wantStatus(t, e, "db1", "stopped")
}
