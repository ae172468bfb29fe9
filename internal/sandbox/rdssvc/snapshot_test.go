package rdssvc_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/sandbox"
	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
)

// TestRekeyThroughSnapshot walks the new-key remediation: snapshot, copy
// under the new key, restore, rename into place.
func TestRekeyThroughSnapshot(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	orig := createPG(t, e.main, "app", true, "alias/dev/rds")
	if _, err := e.main.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("app"),
		DBSnapshotIdentifier: aws.String("app-s1")}); err != nil {
		t.Fatal(err)
	}
	e.srv.Env.Clock.Advance(rdssvc.DurSnapshot)
	cp, err := e.main.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("app-s1"),
		TargetDBSnapshotIdentifier: aws.String("app-s2"), KmsKeyId: aws.String("alias/dev/rds-new")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cp.DBSnapshot.KmsKeyId) != newKey || !aws.ToBool(cp.DBSnapshot.Encrypted) {
		t.Fatalf("copy key = %q, want %q", aws.ToString(cp.DBSnapshot.KmsKeyId), newKey)
	}
	e.srv.Env.Clock.Advance(rdssvc.DurCopy)
	if _, err := e.main.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{
		DBInstanceIdentifier: aws.String("app-new"), DBSnapshotIdentifier: aws.String("app-s2")}); err != nil {
		t.Fatal(err)
	}
	e.srv.Env.Clock.Advance(rdssvc.DurRestore + rdssvc.DurBackup)
	if _, err := e.main.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("app"),
		FinalDBSnapshotIdentifier: aws.String("app-final")}); err != nil {
		t.Fatal(err)
	}
	mod, err := e.main.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("app-new"),
		NewDBInstanceIdentifier: aws.String("app"), ApplyImmediately: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(mod.DBInstance.KmsKeyId) != newKey || aws.ToString(mod.DBInstance.DbiResourceId) == aws.ToString(orig.DbiResourceId) {
		t.Fatalf("after switch: key %q resource %q (orig %q)", aws.ToString(mod.DBInstance.KmsKeyId),
			aws.ToString(mod.DBInstance.DbiResourceId), aws.ToString(orig.DbiResourceId))
	}
	snaps, err := e.main.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("app")})
	if err != nil || len(snaps.DBSnapshots) != 3 {
		t.Fatalf("snapshots of app = %v, %v; want s1, s2, final", snaps, err)
	}
	e.srv.Env.Clock.Advance(rdssvc.DurRename)
	errs := map[string]error{}
	_, errs["DBSnapshotAlreadyExists"] = e.main.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("app"), DBSnapshotIdentifier: aws.String("app-s1")})
	_, errs["DBSnapshotNotFound"] = e.main.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("nope"), TargetDBSnapshotIdentifier: aws.String("x")})
	_, errs["KMSKeyNotAccessibleFault"] = e.main.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("app-s1"), TargetDBSnapshotIdentifier: aws.String("x"), KmsKeyId: aws.String("alias/none")})
	_, errs["InvalidParameterCombination"] = e.main.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("app")})
	_, errs["DBInstanceNotFound"] = e.main.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("gone"), SkipFinalSnapshot: aws.Bool(true)})
	for want, err := range errs {
		mustCode(t, err, want)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	s, err := sandbox.New(sandbox.Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	r, err := rdssvc.New(s.Env, keys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Bulk(rdssvc.BulkRequest{Account: acct, Region: region, Kind: "cluster", Count: 2, Prefix: "p", MembersPerCluster: 2, Encrypted: true}); err != nil {
		t.Fatal(err)
	}
	before := r.Items(acct, region)
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
	after := r2.Items(acct, region)
	if len(after) != 6 || len(before) != 6 {
		t.Fatalf("items before=%d after=%d, want 6 (2 clusters + 4 members)", len(before), len(after))
	}
	for i := range before {
		if before[i].ResourceID != after[i].ResourceID || string(before[i].Configuration) != string(after[i].Configuration) {
			t.Errorf("item %d differs after restart", i)
		}
	}
}
