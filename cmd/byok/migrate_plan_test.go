package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/sandbox/identity"
)

// migrationFixture: after a new-key rotation of prod's rds, dynamodb and
// s3 aliases, prod's instance, cluster (with a member), table and bucket
// (three objects) are KEY_SUPERSEDED; dev has a table on the AWS managed
// key. Only prod deployed the migration role.
func migrationFixture(t testing.TB) (*fixture, map[string]string) {
	fx := newFixture(t)
	k := fx.keys
	fx.instance(fxProd, "prod-db", true, k["alias/prod/rds"])
	fx.aurora(fxProd, "prod-aurora", k["alias/prod/rds"])
	fx.table(fxProd, "prod-orders", kmsSSE(k["alias/prod/dynamodb"]))
	fx.bucket(fxProd, "prod-assets", s3types.ServerSideEncryptionAwsKms, k["alias/prod/s3"])
	for _, key := range []string{"a", "b/c", "d"} {
		_, err := fx.s3(fxProd).PutObject(fx.ctx, &s3.PutObjectInput{Bucket: aws.String("prod-assets"), Key: aws.String(key),
			Body: strings.NewReader("0123456789")})
		fx.check("put object", err)
	}
	fx.table(fxDev, "dev-managed", kmsSSE(""))
	targets := map[string]string{}
	for _, a := range []string{"alias/prod/rds", "alias/prod/dynamodb", "alias/prod/s3"} {
		targets[a] = fx.newKeyRotation(a)
	}
	err := fx.sb.AddRole(identity.Role{ARN: "arn:aws:iam::" + fxProd + ":role/byok-migration", Account: fxProd,
		Name: "byok-migration", Trusted: []string{"arn:aws:iam::" + fxSec + ":role/byok-operator"}})
	fx.check("add migration role", err)
	return fx, targets
}

func migratePlanJSON(t *testing.T, args ...string) migrate.Plan {
	t.Helper()
	code, out, errOut := cliRun(t, append([]string{"migrate", "plan", "--format", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("migrate plan: exit %d\n%s\n%s", code, out, errOut)
	}
	var p migrate.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan JSON: %v\n%s", err, out)
	}
	return p
}

func byName(p migrate.Plan) map[string]migrate.Item {
	m := map[string]migrate.Item{}
	for _, it := range p.Items {
		m[it.Name] = it
	}
	return m
}

func TestMigratePlanSandbox(t *testing.T) {
	fx, targets := migrationFixture(t)
	// One earlier key switch of the table today, read back from CloudTrail.
	_, err := fx.ddb(fxProd).UpdateTable(fx.ctx, &dynamodb.UpdateTableInput{TableName: aws.String("prod-orders"), SSESpecification: kmsSSE(fx.keys["alias/prod/s3"])})
	fx.check("switch table key", err)
	fx.sb.AdvanceClock(10 * time.Minute)
	items := byName(migratePlanJSON(t, "--estate", fx.estateFile))
	for name, want := range map[string]struct {
		method migrate.Method
		target string
	}{
		"prod-db":     {migrate.MethodRDSInstance, targets["alias/prod/rds"]},
		"prod-aurora": {migrate.MethodAuroraCluster, targets["alias/prod/rds"]},
		"prod-orders": {migrate.MethodDynamoDB, targets["alias/prod/dynamodb"]},
		"prod-assets": {migrate.MethodS3, targets["alias/prod/s3"]},
	} {
		it, ok := items[name]
		if !ok || it.Method != want.method || it.TargetKey != want.target || !it.Ready() {
			t.Errorf("%s: %+v; want ready, method %s, target %s", name, it, want.method, want.target)
		}
	}
	if it := items["prod-assets"]; it.Estimate == nil || it.Estimate.Objects != 3 || it.Estimate.Bytes != 30 || it.Downtime != migrate.DowntimeNone {
		t.Errorf("bucket estimate = %+v", it.Estimate)
	}
	if it := items["prod-aurora"]; it.Estimate == nil || it.Estimate.Members != 1 {
		t.Errorf("cluster estimate = %+v, want 1 member", it.Estimate)
	}
	if it := items["prod-aurora-1"]; !strings.Contains(it.Cannot, "migrated with its cluster") {
		t.Errorf("cluster member: %+v, want migrated with its cluster", it)
	}
	if c := checkNamed(items["prod-orders"], migrate.CheckSSELimit); !strings.Contains(c.Detail, "1 switch") {
		t.Errorf("switch-limit check = %+v, want one earlier switch", c)
	}
	dev := items["dev-managed"]
	if dev.Reason != compliance.ReasonAWSManagedKey || dev.Ready() ||
		checkNamed(dev, migrate.CheckRole).Status != migrate.CheckFail ||
		!strings.Contains(checkNamed(dev, migrate.CheckRole).Detail, "arn:aws:iam::"+fxDev+":role/byok-migration") {
		t.Errorf("dev table without a migration role: %+v", dev)
	}
}

func checkNamed(it migrate.Item, name string) migrate.Check {
	for _, c := range it.Checks {
		if c.Name == name {
			return c
		}
	}
	return migrate.Check{}
}

func TestMigratePlanSelectionAndErrors(t *testing.T) {
	fx, targets := migrationFixture(t)
	p := migratePlanJSON(t, "--estate", fx.estateFile, "--env", "prod", "--key", "alias/prod/rds")
	if names := strings.Join(sortedNames(p), ","); names != "prod-aurora,prod-aurora-1,prod-db" {
		t.Fatalf("--env prod --key alias/prod/rds planned %s", names)
	}
	p = migratePlanJSON(t, "--estate", fx.estateFile, "--resource", "arn:aws:s3:::prod-assets", "--to", targets["alias/prod/rds"])
	if len(p.Items) != 1 || p.Items[0].TargetKey != targets["alias/prod/rds"] {
		t.Fatalf("--resource --to: %+v", p.Items)
	}
	// A target key whose policy does not name prod, and an instance that is stopping.
	p = migratePlanJSON(t, "--estate", fx.estateFile, "--resource", "arn:aws:rds:eu-west-1:"+fxProd+":db:prod-db", "--to", fx.keys["alias/dev/rds"])
	if len(p.Items) != 1 || checkNamed(p.Items[0], migrate.CheckKey).Status != migrate.CheckFail {
		t.Fatalf("target key outside prod's policy: %+v", p.Items)
	}
	_, err := fx.rds(fxProd).StopDBInstance(fx.ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("prod-db")})
	fx.check("stop prod-db", err)
	p = migratePlanJSON(t, "--estate", fx.estateFile, "--resource", "arn:aws:rds:eu-west-1:"+fxProd+":db:prod-db")
	if c := checkNamed(p.Items[0], migrate.CheckState); c.Status != migrate.CheckFail || !strings.Contains(c.Detail, "stopping") {
		t.Fatalf("stopping instance: %+v", c)
	}
	code, out, _ := cliRun(t, "migrate", "plan", "--estate", fx.estateFile, "--env", "prod")
	if code != exitOK || !strings.Contains(out, "target key") || !strings.Contains(out, "resource(s) to migrate") {
		t.Fatalf("table output: exit %d\n%s", code, out)
	}
	for name, args := range map[string][]string{
		"alias as target": {"--to", "alias/prod/rds"},
		"unknown env":     {"--env", "qa"},
		"bad role":        {"--migration-role", "byok-migration"},
		"bad format":      {"--format", "csv"},
	} {
		code, _, errOut := cliRun(t, append([]string{"migrate", "plan", "--estate", fx.estateFile}, args...)...)
		if code != exitUsage || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q; want 64 with a message", name, code, errOut)
		}
	}
}

func sortedNames(p migrate.Plan) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.Name)
	}
	slices.Sort(out)
	return out
}
