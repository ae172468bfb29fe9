package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/retire"
)

// TestRetireWarnsOfDBSnapshots: after migrate apply moved prod's RDS
// instance and Aurora cluster off the old rds key, the kept originals
// block retire as kept for rollback; once the owner deleted them, retire
// disables the key but warns of the final snapshots still on it (plan,
// output and audit); schedule-deletion refuses, listing each snapshot
// (account, Region, ID, created) and the fix; once the owner copied one
// to the new key and deleted the originals, schedule-deletion runs.
func TestRetireWarnsOfDBSnapshots(t *testing.T) {
	if testing.Short() {
		t.Skip("sandbox CLI test: skipped with -short")
	}
	fx, targets := migrationFixture(t)
	old := fx.keys["alias/prod/rds"]
	run := migrated(t, fx)
	retireArgs := func(args ...string) []string {
		return append([]string{"retire", "--key", old, "--quiet-for", "1m", "--estate", fx.estateFile}, args...)
	}
	code, out, errOut := cliRun(t, retireArgs("--dry-run")...)
	if code != exitFindings || !strings.Contains(out, "kept (stopped) for rollback of run "+runShortOf(run)) {
		t.Fatalf("retire with the kept originals: exit %d, want %d naming them as kept for rollback\n%s\n%s", code, exitFindings, out, errOut)
	}
	fx.deleteKeptOriginals(run)

	snaps := fx.snapshotsOn(fxProd, old)
	if len(snaps) != 2 {
		t.Fatalf("snapshots on the old key after the migration: %v, want the instance's and the cluster's final ones", snaps)
	}
	var plan struct {
		Allowed  bool             `json:"allowed"`
		Warnings []retire.Blocker `json:"warnings"`
	}
	js := cliRunOK(t, retireArgs("--dry-run", "--format", "json")...)
	if err := json.Unmarshal([]byte(js), &plan); err != nil || !plan.Allowed || len(plan.Warnings) != 2 {
		t.Fatalf("retire plan: %v\n%s", err, js)
	}
	out = cliRunOK(t, retireArgs("--yes")...)
	for _, want := range append([]string{"WARNING: 2 item(s)", "unrestorable while the key is disabled", "disabled (retired)"}, snaps...) {
		if !strings.Contains(out, want) {
			t.Errorf("retire output does not say %q:\n%s", want, out)
		}
	}
	if audit := cliRunOK(t, "audit", "show", "--format", "json"); !strings.Contains(audit, string(retire.BlockSnapshot)) {
		t.Errorf("the retire's audit entry does not record the snapshot warnings:\n%s", audit)
	}

	del := retireArgs("--schedule-deletion", "--disabled-for", "0", "--pending-window-days", "7", "--yes")
	code, out, errOut = cliRun(t, del...)
	if code != exitFindings {
		t.Fatalf("schedule-deletion with snapshots on the key: exit %d, want %d\n%s\n%s", code, exitFindings, out, errOut)
	}
	for _, id := range snaps {
		if !strings.Contains(out, "db-snapshot-on-key ["+fxProd+" eu-west-1] rds ") || !strings.Contains(out, id) {
			t.Errorf("the refusal does not list %s with its account and Region:\n%s", id, out)
		}
	}
	for _, want := range []string{"created 20", "--kms-key-id " + targets["alias/prod/rds"], "byok never deletes data"} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, out)
		}
	}

	t.Logf("refusal:\n%s", out)
	fx.copyAndDeleteSnapshots(snaps, targets["alias/prod/rds"])
	out = cliRunOK(t, del...)
	if !strings.Contains(out, "scheduled for deletion") {
		t.Fatalf("schedule-deletion after the owner's clean-up:\n%s", out)
	}
}

// snapshotsOn lists account's DB and DB cluster snapshots encrypted
// under keyARN (as the owner sees them).
func (fx *fixture) snapshotsOn(account, keyARN string) []string {
	var out []string
	sn, err := fx.rds(account).DescribeDBSnapshots(fx.ctx, &rds.DescribeDBSnapshotsInput{})
	fx.check("describe snapshots", err)
	for _, s := range sn.DBSnapshots {
		if aws.ToString(s.KmsKeyId) == keyARN {
			out = append(out, aws.ToString(s.DBSnapshotIdentifier))
		}
	}
	cs, err := fx.rds(account).DescribeDBClusterSnapshots(fx.ctx, &rds.DescribeDBClusterSnapshotsInput{})
	fx.check("describe cluster snapshots", err)
	for _, s := range cs.DBClusterSnapshots {
		if aws.ToString(s.KmsKeyId) == keyARN {
			out = append(out, aws.ToString(s.DBClusterSnapshotIdentifier))
		}
	}
	return out
}

// deleteKeptOriginals is prod's owner deleting the originals run kept:
// instances (cluster members too), then clusters.
func (fx *fixture) deleteKeptOriginals(run string) {
	c, kept := fx.rds(fxProd), "-byok-old-"+runShortOf(run)
	for _, id := range fx.instanceNames(fxProd) {
		if strings.HasSuffix(id, kept) {
			_, err := c.DeleteDBInstance(fx.ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)})
			fx.check("delete "+id, err)
		}
	}
	cl, err := c.DescribeDBClusters(fx.ctx, &rds.DescribeDBClustersInput{})
	fx.check("describe clusters", err)
	for _, x := range cl.DBClusters {
		if id := aws.ToString(x.DBClusterIdentifier); strings.HasSuffix(id, kept) {
			_, err := c.DeleteDBCluster(fx.ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)})
			fx.check("delete "+id, err)
		}
	}
}

// copyAndDeleteSnapshots is prod's owner keeping the first snapshot (a
// DB snapshot) by copying it to the new key, then deleting every one on
// the old key.
func (fx *fixture) copyAndDeleteSnapshots(ids []string, newKey string) {
	c := fx.rds(fxProd)
	_, err := c.CopyDBSnapshot(fx.ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(ids[0]),
		TargetDBSnapshotIdentifier: aws.String(ids[0] + "-rekeyed"), KmsKeyId: aws.String(newKey)})
	fx.check("copy "+ids[0], err)
	fx.settle(fxProd)
	_, err = c.DeleteDBSnapshot(fx.ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(ids[0])})
	fx.check("delete "+ids[0], err)
	_, err = c.DeleteDBClusterSnapshot(fx.ctx, &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: aws.String(ids[1])})
	fx.check("delete "+ids[1], err)
	if left := fx.snapshotsOn(fxProd, fx.keys["alias/prod/rds"]); len(left) != 0 {
		fx.t.Fatalf("snapshots still on the old key: %v", left)
	}
}
