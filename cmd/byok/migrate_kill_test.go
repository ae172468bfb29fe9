package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// killMethod is one migration method under kill test: the resource, its
// procedure, and what must hold once a killed run is resumed.
type killMethod struct {
	arn      string
	strategy rotation.Strategy
	check    func(t *testing.T, fx *fixture, run string, target string)
}

var killMethods = []killMethod{
	{arn: prodDBARN, strategy: rotation.MigrateRDSInstance, check: checkRDSKilled},
	{arn: "arn:aws:rds:eu-west-1:" + fxProd + ":cluster:prod-aurora", strategy: rotation.MigrateAuroraCluster, check: checkAuroraKilled},
	{arn: "arn:aws:dynamodb:eu-west-1:" + fxProd + ":table/prod-orders", strategy: rotation.MigrateDynamoDB, check: checkTableKilled},
}

// TestKillMigrateEveryStep SIGKILLs `byok migrate apply` of each method at
// every step boundary (a step's work done but not journaled, and a step
// journaled as ended), at admission, and between the two renames of the
// switch, then resumes the run in a new process. Every case must end in
// exactly one correct state: the resource under its own name on the
// target key, exactly one snapshot, copy and restored resource, the
// original kept (stopped) under byok's name, one audit entry.
func TestKillMigrateEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	bin := rotBinary(t)
	for _, m := range killMethods {
		points := []string{"request:after", "admit:after"}
		for _, st := range rotation.Steps(m.strategy, false) {
			points = append(points, m.strategy.String()+"/"+st.String()+":unrecorded", m.strategy.String()+"/"+st.String()+":after")
		}
		if m.strategy != rotation.MigrateDynamoDB {
			points = append(points, m.strategy.String()+"/switch:original-renamed")
		}
		if m.strategy == rotation.MigrateAuroraCluster {
			points = append(points, m.strategy.String()+"/switch:member-renamed")
		}
		for _, fp := range points {
			name := fp
			if !strings.Contains(fp, "/") {
				name = m.strategy.String() + "/" + fp
			}
			t.Run(name, func(t *testing.T) { killAndResume(t, bin, m, fp) })
		}
	}
}

func killAndResume(t *testing.T, bin string, m killMethod, fp string) {
	fx, targets := migrationFixture(t)
	fx.settle(fxProd)
	target := targets["alias/prod/rds"]
	if m.strategy == rotation.MigrateDynamoDB {
		target = targets["alias/prod/dynamodb"]
	}
	stop := fx.driveClock(fxProd, nil)
	killed, out := execKilled(t, bin, fp, migrationArgs(fx, "migrate", "apply", "--yes", "--writers-stopped", "--resource", m.arn)...)
	stop()
	if !killed {
		t.Fatalf("failpoint %s did not kill byok:\n%s", fp, out)
	}
	run := newestMigrationRun(t)
	stop = fx.driveClock(fxProd, nil)
	// A run killed before its writers-stopped step ended asks again: the
	// operator confirms on resume.
	code, rout, rerr := cliRun(t, migrationArgs(fx, "migrate", "resume", run, "--writers-stopped")...)
	stop()
	if code != exitOK {
		t.Fatalf("resume after %s: exit %d\n%s\n%s\nkilled run's output:\n%s", fp, code, rout, rerr, out)
	}
	m.check(t, fx, run, target)
	var mr migrationRun
	if err := json.Unmarshal([]byte(cliRunOK(t, "migrate", "status", run, "--format", "json")), &mr); err != nil ||
		mr.Status != store.StatusSucceeded.String() || len(mr.Resources) != 1 {
		t.Errorf("run after resume: %+v, %v", mr, err)
	}
	audit := cliRunOK(t, "audit", "show", "--format", "json")
	if n := strings.Count(audit, `"run_id": "`+run+`"`) + strings.Count(audit, `"run_id":"`+run+`"`); n != 1 {
		t.Errorf("%d audit entries for run %s, want 1", n, run)
	}
	cliRunOK(t, "audit", "verify")
}

// execKilled runs the failpoint binary with BYOK_FAILPOINT=fp.
func execKilled(t *testing.T, bin, fp string, args ...string) (bool, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), rotation.FailpointEnv+"="+fp)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	_ = cmd.Run()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL, buf.String()
}

func newestMigrationRun(t *testing.T) string {
	t.Helper()
	var runs []migrationRun
	if err := json.Unmarshal([]byte(cliRunOK(t, "migrate", "status", "--format", "json")), &runs); err != nil || len(runs) != 1 {
		t.Fatalf("migration runs after the kill: %+v, %v", runs, err)
	}
	return string(runs[0].ID)
}

// instanceNames lists prod's DB instances.
func (fx *fixture) instanceNames(account string) []string {
	out, err := fx.rds(account).DescribeDBInstances(fx.ctx, &rds.DescribeDBInstancesInput{})
	fx.check("describe instances", err)
	var names []string
	for _, db := range out.DBInstances {
		names = append(names, aws.ToString(db.DBInstanceIdentifier))
	}
	return names
}

func checkRDSKilled(t *testing.T, fx *fixture, run, target string) {
	short := runShortOf(run)
	if db := fx.instanceNamed(fxProd, "prod-db"); aws.ToString(db.KmsKeyId) != target || aws.ToString(db.DBInstanceStatus) != "available" {
		t.Errorf("prod-db: %s on %s", aws.ToString(db.DBInstanceStatus), aws.ToString(db.KmsKeyId))
	}
	if old := fx.instanceNamed(fxProd, "prod-db-byok-old-"+short); aws.ToString(old.DBInstanceStatus) != "stopped" {
		t.Errorf("the original is %s, want stopped", aws.ToString(old.DBInstanceStatus))
	}
	n := 0
	for _, name := range fx.instanceNames(fxProd) {
		if strings.HasPrefix(name, "prod-db") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("instances %v: want prod-db and its original only (no second restore)", fx.instanceNames(fxProd))
	}
	sn, err := fx.rds(fxProd).DescribeDBSnapshots(fx.ctx, &rds.DescribeDBSnapshotsInput{})
	fx.check("describe snapshots", err)
	if len(sn.DBSnapshots) != 2 {
		t.Errorf("%d snapshots, want the final one and its copy", len(sn.DBSnapshots))
	}
}

func checkAuroraKilled(t *testing.T, fx *fixture, run, target string) {
	short := runShortOf(run)
	cl := fx.clusterNamed(fxProd, "prod-aurora")
	if aws.ToString(cl.KmsKeyId) != target || len(cl.DBClusterMembers) != 1 || aws.ToString(cl.DBClusterMembers[0].DBInstanceIdentifier) != "prod-aurora-1" {
		t.Errorf("prod-aurora: on %s members %+v", aws.ToString(cl.KmsKeyId), cl.DBClusterMembers)
	}
	old := fx.clusterNamed(fxProd, "prod-aurora-byok-old-"+short)
	if aws.ToString(old.Status) != "stopped" || len(old.DBClusterMembers) != 1 ||
		aws.ToString(old.DBClusterMembers[0].DBInstanceIdentifier) != "prod-aurora-1-byok-old-"+short {
		t.Errorf("the original cluster: %s members %+v", aws.ToString(old.Status), old.DBClusterMembers)
	}
	out, err := fx.rds(fxProd).DescribeDBClusters(fx.ctx, &rds.DescribeDBClustersInput{})
	fx.check("describe clusters", err)
	n := 0
	for _, name := range fx.instanceNames(fxProd) {
		if strings.HasPrefix(name, "prod-aurora") {
			n++
		}
	}
	if len(out.DBClusters) != 2 || n != 2 {
		t.Errorf("%d clusters and instances %v: want the cluster and its original, one member each", len(out.DBClusters), fx.instanceNames(fxProd))
	}
}

func checkTableKilled(t *testing.T, fx *fixture, _, target string) {
	tb, err := fx.ddb(fxProd).DescribeTable(fx.ctx, &dynamodb.DescribeTableInput{TableName: aws.String("prod-orders")})
	fx.check("describe table", err)
	if k := aws.ToString(tb.Table.SSEDescription.KMSMasterKeyArn); k != target || tb.Table.SSEDescription.Status != "ENABLED" {
		t.Errorf("prod-orders on %s (%s), want %s ENABLED", k, tb.Table.SSEDescription.Status, target)
	}
}
