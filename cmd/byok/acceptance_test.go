package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/sandbox/identity"
)

// acceptanceObjects is how many objects prod's bucket holds.
const acceptanceObjects = 20

// acceptanceBack is how far back in sandbox time the story happens: the
// binary judges retire's quiet period (acceptanceQuiet) on the machine
// clock, as in production, and everything the rotation and the migration
// did with the old keys (the sandbox clock moved on through RDS's states
// too) is then older than the quiet period. Less than a day, so import
// tokens (24 h) stay valid on the machine clock.
const (
	acceptanceBack  = 6 * time.Hour
	acceptanceQuiet = "1h"
)

// TestAcceptanceNewKeyMigrateRetire is issue 11's acceptance end to end,
// every command run by the byok binary against the sandbox: new-key
// rotations of alias/prod/rds and alias/prod/s3 (HSM material from
// SoftHSM2), migrate plan, migrate apply --yes --writers-stopped, the
// owner deleting what the migration kept for rollback, retire --key OLD of
// both old keys. Then: the scan finds nothing KEY_SUPERSEDED, the RDS
// instance and the Aurora cluster have their original identifiers and
// endpoints on the new key, every S3 object decrypts (GetObject) and
// reports the new key, both old keys are Disabled, and audit verify passes.
func TestAcceptanceNewKeyMigrateRetire(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end binary test: skipped with -short")
	}
	rotShm(t)
	fx := newFixture(t)
	t.Setenv("BYOK_HSM", hsmtest.NewSoftHSM(t).URI)
	fx.sb.AdvanceClock(-acceptanceBack)
	old := map[string]string{"alias/prod/rds": fx.keys["alias/prod/rds"], "alias/prod/s3": fx.keys["alias/prod/s3"]}
	fx.instance(fxProd, "prod-db", true, old["alias/prod/rds"])
	fx.aurora(fxProd, "prod-aurora", old["alias/prod/rds"])
	fx.bucket(fxProd, "prod-assets", s3types.ServerSideEncryptionAwsKms, old["alias/prod/s3"])
	for i := range acceptanceObjects {
		_, err := fx.s3(fxProd).PutObject(fx.ctx, &s3.PutObjectInput{Bucket: aws.String("prod-assets"), Key: aws.String(fmt.Sprintf("o/%02d", i)),
			Body: strings.NewReader(fmt.Sprint("body ", i))})
		fx.check("put object", err)
	}
	fx.settle(fxProd)
	db, cl := fx.instanceNamed(fxProd, "prod-db"), fx.clusterNamed(fxProd, "prod-aurora")
	bin := rotBinary(t)
	newKeys := map[string]string{}
	for alias := range old {
		acceptanceRun(t, bin, "rotate", "--key", alias, "--strategy", "new-key", "--yes", "--estate", fx.estateFile)
		newKeys[alias] = fx.aliasTarget(alias)
		if newKeys[alias] == old[alias] {
			t.Fatalf("the new-key rotation of %s did not move the alias", alias)
		}
	}
	fx.check("add migration role", fx.sb.AddRole(identity.Role{ARN: "arn:aws:iam::" + fxProd + ":role/byok-migration", Account: fxProd,
		Name: "byok-migration", Trusted: []string{"arn:aws:iam::" + fxSec + ":role/byok-operator"}}))
	checkAcceptancePlan(t, acceptanceRun(t, bin, "migrate", "plan", "--env", "prod", "--format", "json", "--estate", fx.estateFile), old)
	// One resource at a time: the sandbox clock jumps an hour of RDS
	// states in under a second, and a bucket copied meanwhile would sign
	// with a role session the sandbox already expired while the SDK (on
	// the machine clock) still trusts it; S3 answers HeadObject's expiry
	// with a bodiless 400 no retryer can recognise. Against AWS the clocks
	// agree and the SDK refreshes sessions before they expire.
	stop := fx.driveClock(fxProd, nil)
	out := acceptanceRun(t, bin, migrationArgs(fx, "migrate", "apply", "--env", "prod", "--yes", "--writers-stopped", "--max-parallel", "1")...)
	stop()
	run := runIDFrom(t, out)
	fx.deleteKept(run)
	for alias, key := range old {
		if out := acceptanceRun(t, bin, "retire", "--key", key, "--quiet-for", acceptanceQuiet, "--yes", "--estate", fx.estateFile); !strings.Contains(out, "disabled") {
			t.Errorf("retire %s (%s): %s", key, alias, out)
		}
		if st := fx.keyStateOf(key); st != kmstypes.KeyStateDisabled {
			t.Errorf("old key of %s is %s after retire, want Disabled", alias, st)
		}
	}
	checkAcceptanceScan(t, fx, bin)
	checkAcceptanceRDS(t, fx, db, cl, newKeys["alias/prod/rds"])
	checkAcceptanceObjects(t, fx, newKeys["alias/prod/s3"])
	acceptanceRun(t, bin, "audit", "verify")
}

// acceptanceRun runs the binary (its environment: the fixture's) and
// fails the test unless it exits 0; it returns standard output.
func acceptanceRun(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var so, se strings.Builder
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Run(); err != nil {
		t.Fatalf("byok %s: %v\n%s\n%s", strings.Join(args, " "), err, so.String(), se.String())
	}
	return so.String()
}

// checkAcceptancePlan: the plan holds the instance, the cluster and the
// bucket, each KEY_SUPERSEDED on its old key, pre-flight passed.
func checkAcceptancePlan(t *testing.T, out string, old map[string]string) {
	t.Helper()
	var p migrate.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("migrate plan JSON: %v\n%s", err, out)
	}
	want := map[string]string{"prod-db": old["alias/prod/rds"], "prod-aurora": old["alias/prod/rds"], "prod-assets": old["alias/prod/s3"]}
	got := byName(p)
	for name, key := range want {
		it, ok := got[name]
		if !ok || it.Reason != compliance.ReasonKeySuperseded || it.CurrentKey != key || !it.Ready() {
			t.Errorf("plan item %s: %+v; want KEY_SUPERSEDED on %s and ready", name, it, key)
		}
	}
}

// deleteKept is the prod owner deleting the originals the migration run
// kept (stopped) for rollback on the old RDS key: byok deletes no data,
// and retire refuses while they exist.
func (fx *fixture) deleteKept(run string) {
	fx.t.Helper()
	c, kept := fx.rds(fxProd), "-byok-old-"+runShortOf(run)
	insts, err := c.DescribeDBInstances(fx.ctx, &rds.DescribeDBInstancesInput{})
	fx.check("describe instances", err)
	var n int
	for _, db := range insts.DBInstances {
		if strings.Contains(aws.ToString(db.DBInstanceIdentifier), kept) || strings.Contains(aws.ToString(db.DBClusterIdentifier), kept) {
			_, err := c.DeleteDBInstance(fx.ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: db.DBInstanceIdentifier, SkipFinalSnapshot: aws.Bool(true)})
			fx.check("owner deletes "+aws.ToString(db.DBInstanceIdentifier), err)
			n++
		}
	}
	fx.settle(fxProd)
	_, err = c.DeleteDBCluster(fx.ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("prod-aurora" + kept), SkipFinalSnapshot: aws.Bool(true)})
	fx.check("owner deletes the kept cluster", err)
	if n != 2 {
		fx.t.Errorf("the migration kept %d original instances (%s), want prod-db's and prod-aurora's member", n, kept)
	}
	fx.settle(fxProd)
}

func (fx *fixture) aliasTarget(alias string) string {
	fx.t.Helper()
	d, err := fx.kms(fxSec).DescribeKey(fx.ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	fx.check("describe "+alias, err)
	return aws.ToString(d.KeyMetadata.Arn)
}

func (fx *fixture) keyStateOf(key string) kmstypes.KeyState {
	fx.t.Helper()
	d, err := fx.kms(fxSec).DescribeKey(fx.ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)})
	fx.check("describe "+key, err)
	return d.KeyMetadata.KeyState
}

// checkAcceptanceScan: the binary's scan finds nothing KEY_SUPERSEDED.
func checkAcceptanceScan(t *testing.T, fx *fixture, bin string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scan.json")
	cmd := exec.Command(bin, "scan", "--estate", fx.estateFile, "--format", "json", "--out", path)
	out, _ := cmd.CombinedOutput() // exit 1: other findings of the fixture (dev's overdue key)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("scan wrote no report: %v\n%s", err, out)
	}
	var rep jsonReportView
	if err := json.Unmarshal(raw, &rep); err != nil || len(rep.Scan.Errors) > 0 {
		t.Fatalf("scan report: %v %s", err, rep.Scan.Errors)
	}
	for _, r := range rep.Results {
		if r.Reason == string(compliance.ReasonKeySuperseded) {
			t.Errorf("%s %s still KEY_SUPERSEDED (key %s)", r.ResourceType, r.ResourceName, r.KeyARN)
		}
	}
}

// checkAcceptanceRDS: the original identifiers and endpoints, now on the
// new key.
func checkAcceptanceRDS(t *testing.T, fx *fixture, db *rdsInstance, cl *rdsCluster, target string) {
	t.Helper()
	after := fx.instanceNamed(fxProd, "prod-db")
	if aws.ToString(after.KmsKeyId) != target || aws.ToString(after.Endpoint.Address) != aws.ToString(db.Endpoint.Address) ||
		aws.ToString(after.DbiResourceId) == aws.ToString(db.DbiResourceId) {
		t.Errorf("prod-db: key %s endpoint %s; want %s at %s (a restored instance)", aws.ToString(after.KmsKeyId),
			aws.ToString(after.Endpoint.Address), target, aws.ToString(db.Endpoint.Address))
	}
	c := fx.clusterNamed(fxProd, "prod-aurora")
	if aws.ToString(c.KmsKeyId) != target || aws.ToString(c.Endpoint) != aws.ToString(cl.Endpoint) ||
		len(c.DBClusterMembers) != 1 || aws.ToString(c.DBClusterMembers[0].DBInstanceIdentifier) != "prod-aurora-1" {
		t.Errorf("prod-aurora: key %s endpoint %s members %+v; want %s at %s with prod-aurora-1", aws.ToString(c.KmsKeyId),
			aws.ToString(c.Endpoint), c.DBClusterMembers, target, aws.ToString(cl.Endpoint))
	}
}

// checkAcceptanceObjects: every object reads back intact (S3 decrypts it
// with its key: the old one is disabled) and reports the new key.
func checkAcceptanceObjects(t *testing.T, fx *fixture, target string) {
	t.Helper()
	for i := range acceptanceObjects {
		key := fmt.Sprintf("o/%02d", i)
		out, err := fx.s3(fxProd).GetObject(fx.ctx, &s3.GetObjectInput{Bucket: aws.String("prod-assets"), Key: aws.String(key)})
		if err != nil {
			t.Errorf("GetObject %s after retire: %v", key, err)
			continue
		}
		body, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || string(body) != fmt.Sprint("body ", i) || aws.ToString(out.SSEKMSKeyId) != target {
			t.Errorf("%s: body %q (%v) key %s, want %q on %s", key, body, err, aws.ToString(out.SSEKMSKeyId), fmt.Sprint("body ", i), target)
		}
	}
}
