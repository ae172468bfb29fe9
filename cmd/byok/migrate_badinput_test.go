package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

const prodDBARN = "arn:aws:rds:eu-west-1:" + fxProd + ":db:prod-db"

// TestMigrateApplyRefusals: what pre-flight refuses is not applied, with
// the reason, before anything is created: no migration role (named, with
// the template that deploys it), a target key whose policy lacks the
// account, an instance that is modifying; an RDS request piped without
// --writers-stopped is refused before a run exists.
func TestMigrateApplyRefusals(t *testing.T) {
	fx, _ := migrationFixture(t)
	fx.settle(fxProd)
	for name, c := range map[string]struct {
		args []string
		want []string
	}{
		"no migration role": {args: []string{"--env", "prod", "--migration-role", "arn:aws:iam::{account}:role/not-deployed"},
			want: []string{"arn:aws:iam::" + fxProd + ":role/not-deployed", "deploy/member-account.yaml"}},
		"key policy lacks the account": {args: []string{"--resource", prodDBARN, "--to", fx.keys["alias/dev/rds"]},
			want: []string{"target-key-usable FAIL", fxProd, "before any snapshot"}},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := cliRun(t, migrationArgs(fx, append([]string{"migrate", "apply", "--yes", "--writers-stopped"}, c.args...)...)...)
			if code != exitFailed || !strings.Contains(errOut, "nothing to apply") {
				t.Fatalf("exit %d, want 1 (nothing to apply)\n%s\n%s", code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output does not say %q:\n%s", w, out)
				}
			}
		})
	}
	// A saved plan is checked again: its Ready items are the request.
	saved := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(saved, []byte(cliRunOK(t, "migrate", "plan", "--estate", fx.estateFile, "--env", "prod", "--format", "json")), 0o600); err != nil {
		t.Fatal(err)
	}
	if dry := cliRunOK(t, migrationArgs(fx, "migrate", "apply", "--plan", saved, "--dry-run")...); strings.Count(dry, "migrate-") != 4 { // instance, cluster, table, bucket
		t.Errorf("dry run of the saved plan:\n%s", dry)
	}
	_, err := fx.rds(fxProd).ModifyDBInstance(fx.ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("prod-db"),
		DBInstanceClass: aws.String("db.t4g.small"), ApplyImmediately: aws.Bool(true)})
	fx.check("modify prod-db", err)
	code, out, _ := cliRun(t, migrationArgs(fx, "migrate", "apply", "--yes", "--writers-stopped", "--resource", prodDBARN)...)
	if code != exitFailed || !strings.Contains(out, "status modifying") {
		t.Errorf("modifying instance: exit %d\n%s", code, out)
	}
	fx.settle(fxProd)
	code, _, errOut := cliRun(t, migrationArgs(fx, "migrate", "apply", "--yes", "--resource", prodDBARN)...)
	if code != exitUsage || !strings.Contains(errOut, "--writers-stopped") {
		t.Errorf("piped without --writers-stopped: exit %d\n%s", code, errOut)
	}
	if sn, err := fx.rds(fxProd).DescribeDBSnapshots(fx.ctx, &rds.DescribeDBSnapshotsInput{}); err != nil || len(sn.DBSnapshots) != 0 {
		t.Errorf("a refused request left snapshots: %+v, %v", sn, err)
	}
	var runs []migrationRun
	if err := json.Unmarshal([]byte(cliRunOK(t, "migrate", "status", "--format", "json")), &runs); err != nil || len(runs) != 0 {
		t.Errorf("refused requests recorded runs: %+v, %v", runs, err)
	}
}

// TestMigrateKeyDisabledMidway: the target key is disabled while the
// final snapshot is taken; the copy under it fails, the run stops
// resumable naming the step, nothing is switched; once the key is
// enabled again, migrate resume finishes the same run without a second
// snapshot.
func TestMigrateKeyDisabledMidway(t *testing.T) {
	fx, targets := migrationFixture(t)
	fx.settle(fxProd)
	target := targets["alias/prod/rds"]
	var once sync.Once
	stop := fx.driveClock(fxProd, func(busy string) {
		if busy == "prod-db backing-up" { // the final snapshot is being taken
			once.Do(func() {
				_, err := fx.kms(fxSec).DisableKey(fx.ctx, &kms.DisableKeyInput{KeyId: aws.String(target)})
				fx.check("disable target key", err)
			})
		}
	})
	code, out, errOut := cliRun(t, migrationArgs(fx, "migrate", "apply", "--yes", "--writers-stopped", "--resource", prodDBARN)...)
	stop()
	if code != exitFailed || !strings.Contains(errOut, "copy-snapshot") || !strings.Contains(errOut, "byok migrate resume") {
		t.Fatalf("apply with the key disabled midway: exit %d\n%s\n%s", code, out, errOut)
	}
	run := runIDFrom(t, out)
	if db := fx.instanceNamed(fxProd, "prod-db"); aws.ToString(db.KmsKeyId) == target {
		t.Fatal("prod-db switched although the copy failed")
	}
	_, err := fx.kms(fxSec).EnableKey(fx.ctx, &kms.EnableKeyInput{KeyId: aws.String(target)})
	fx.check("enable target key", err)
	stop = fx.driveClock(fxProd, nil)
	code, out, errOut = cliRun(t, migrationArgs(fx, "migrate", "resume", run)...)
	stop()
	if code != exitOK {
		t.Fatalf("resume: exit %d\n%s\n%s", code, out, errOut)
	}
	if db := fx.instanceNamed(fxProd, "prod-db"); aws.ToString(db.KmsKeyId) != target {
		t.Errorf("prod-db on %s after resume, want %s", aws.ToString(db.KmsKeyId), target)
	}
	sn, err := fx.rds(fxProd).DescribeDBSnapshots(fx.ctx, &rds.DescribeDBSnapshotsInput{})
	fx.check("describe snapshots", err)
	if len(sn.DBSnapshots) != 2 {
		t.Errorf("%d snapshots, want the final one and its copy", len(sn.DBSnapshots))
	}
}
