package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/compliance"
)

// migrated applies the prod RDS migrations (instance, Aurora cluster)
// and the table's key switch of migrationFixture and returns the run.
func migrated(t *testing.T, fx *fixture) string {
	t.Helper()
	fx.settle(fxProd)
	stop := fx.driveClock(fxProd, nil)
	code, out, errOut := cliRun(t, migrationArgs(fx, "migrate", "apply", "--env", "prod", "--yes", "--writers-stopped")...)
	stop()
	if code != exitOK {
		t.Fatalf("migrate apply: exit %d\n%s\n%s", code, out, errOut)
	}
	return runIDFrom(t, out)
}

// TestMigrateApplyEndToEnd: after a new-key rotation of prod's rds and
// dynamodb aliases, migrate apply moves the instance, the Aurora cluster
// and the table onto the new keys: the scan finds none of them on a
// superseded key, the identifiers and endpoints are the original ones,
// the originals are stopped under byok's name, and the audit verifies.
func TestMigrateApplyEndToEnd(t *testing.T) {
	fx, targets := migrationFixture(t)
	fx.settle(fxProd)
	before := fx.instanceNamed(fxProd, "prod-db")
	dry := cliRunOK(t, migrationArgs(fx, "migrate", "apply", "--env", "prod", "--dry-run", "--format", "json")...)
	var req struct {
		Request []struct {
			Resource  string `json:"resource"`
			Strategy  string `json:"strategy"`
			TargetKey string `json:"target_key"`
		} `json:"request"`
		NotApplied []struct{ Resource, Why string } `json:"not_applied"`
	}
	if err := json.Unmarshal([]byte(dry), &req); err != nil || len(req.Request) != 4 { // instance, cluster, table, bucket
		t.Fatalf("dry run: %v\n%s", err, dry)
	}
	run := migrated(t, fx)

	_, rep, _ := scanToJSON(t, fx)
	for _, r := range rep.Results {
		// The originals byok kept (stopped, for rollback) stay on the old
		// key until the operator deletes them: byok deletes no data.
		kept := strings.Contains(r.ResourceName, "-byok-old-"+runShortOf(run))
		if r.Account == fxProd && r.Reason == string(compliance.ReasonKeySuperseded) && r.ResourceType != "AWS::S3::Bucket" && !kept {
			t.Errorf("%s still %s after the migration (key %s)", r.ResourceName, r.Reason, r.KeyARN)
		}
	}
	after := fx.instanceNamed(fxProd, "prod-db")
	if aws.ToString(after.KmsKeyId) != targets["alias/prod/rds"] || aws.ToString(after.Endpoint.Address) != aws.ToString(before.Endpoint.Address) ||
		aws.ToString(after.DbiResourceId) == aws.ToString(before.DbiResourceId) {
		t.Errorf("prod-db after: key %s endpoint %s resource %s; want %s, %s and a new resource",
			aws.ToString(after.KmsKeyId), aws.ToString(after.Endpoint.Address), aws.ToString(after.DbiResourceId),
			targets["alias/prod/rds"], aws.ToString(before.Endpoint.Address))
	}
	old := fx.instanceNamed(fxProd, "prod-db-byok-old-"+runShortOf(run))
	if aws.ToString(old.DBInstanceStatus) != "stopped" || aws.ToString(old.DbiResourceId) != aws.ToString(before.DbiResourceId) {
		t.Errorf("the original: %s %s, want stopped %s", aws.ToString(old.DBInstanceStatus), aws.ToString(old.DbiResourceId), aws.ToString(before.DbiResourceId))
	}
	cl, err := fx.rds(fxProd).DescribeDBClusters(fx.ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("prod-aurora")})
	fx.check("describe cluster", err)
	if c := cl.DBClusters[0]; aws.ToString(c.KmsKeyId) != targets["alias/prod/rds"] || len(c.DBClusterMembers) != 1 ||
		aws.ToString(c.DBClusterMembers[0].DBInstanceIdentifier) != "prod-aurora-1" {
		t.Errorf("prod-aurora after: key %s members %+v", aws.ToString(c.KmsKeyId), c.DBClusterMembers)
	}
	tb, err := fx.ddb(fxProd).DescribeTable(fx.ctx, &dynamodb.DescribeTableInput{TableName: aws.String("prod-orders")})
	fx.check("describe table", err)
	if k := aws.ToString(tb.Table.SSEDescription.KMSMasterKeyArn); k != targets["alias/prod/dynamodb"] {
		t.Errorf("prod-orders on %s, want %s", k, targets["alias/prod/dynamodb"])
	}
	// The change went through prod's migration role, not the operator role.
	ev, err := cloudtrail.NewFromConfig(fx.cfg(fxProd)).LookupEvents(fx.ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("UpdateTable")}}})
	fx.check("lookup UpdateTable events", err)
	if len(ev.Events) != 1 || !strings.Contains(aws.ToString(ev.Events[0].CloudTrailEvent), "assumed-role/byok-migration/") {
		t.Errorf("UpdateTable events in prod: %+v; want one, by the byok-migration role", ev.Events)
	}
	status := cliRunOK(t, "migrate", "status", run, "--format", "json")
	var mr migrationRun
	if err := json.Unmarshal([]byte(status), &mr); err != nil || mr.Status != "succeeded" || len(mr.Resources) != 4 {
		t.Fatalf("migrate status: %v\n%s", err, status)
	}
	for _, r := range mr.Resources {
		if r.Step != "done" || r.Phase != "end" {
			t.Errorf("%s at %s %s", r.Resource, r.Step, r.Phase)
		}
	}
	if show := cliRunOK(t, "runs", "show", run); !strings.Contains(show, "arn:aws:rds:eu-west-1:"+fxProd+":db:prod-db") {
		t.Errorf("runs show does not list the migrated instance:\n%s", show)
	}
	if code, out, errOut := cliRun(t, "audit", "verify"); code != exitOK {
		t.Fatalf("audit verify: exit %d\n%s\n%s", code, out, errOut)
	}
	audit := cliRunOK(t, "audit", "show", "--format", "json")
	if !strings.Contains(audit, "--writers-stopped flag") || !strings.Contains(audit, "migrate-rds-instance") {
		t.Errorf("audit does not record the writers-stopped confirmation of the RDS migration:\n%s", audit)
	}
}

func cliRunOK(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := cliRun(t, args...)
	if code != exitOK {
		t.Fatalf("byok %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func (fx *fixture) instanceNamed(account, id string) *rdsInstance {
	fx.t.Helper()
	out, err := fx.rds(account).DescribeDBInstances(fx.ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	fx.check("describe "+id, err)
	return &out.DBInstances[0]
}

func runShortOf(run string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(run, "r-"), "-", ""))
}
