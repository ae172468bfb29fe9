package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestMigrateRollback: rolling back a migration gives prod-db and
// prod-aurora (and its member) their names back on the originals,
// started again and on the old key; the restored ones are kept under
// byok's rb name; the table is back on its old key; the migration run is
// rolled-back, a second rollback changes nothing, and the audit verifies.
// The bucket prod-assets is rolled back too (its default encryption and
// objects back on the old key).
func TestMigrateRollback(t *testing.T) {
	fx, _ := migrationFixture(t)
	fx.settle(fxProd)
	db0 := fx.instanceNamed(fxProd, "prod-db")
	cl0 := fx.clusterNamed(fxProd, "prod-aurora")
	run := migrated(t, fx)
	short := runShortOf(run)

	dry := cliRunOK(t, migrationArgs(fx, "migrate", "rollback", run, "--dry-run")...)
	if !strings.Contains(dry, "dry run") || strings.Count(dry, "migrate-rollback") != 4 || !strings.Contains(dry, "bucket prod-assets:") {
		t.Fatalf("rollback dry run:\n%s", dry)
	}
	stop := fx.driveClock(fxProd, nil)
	code, out, errOut := cliRun(t, migrationArgs(fx, "migrate", "rollback", run, "--yes")...)
	stop()
	if code != exitOK {
		t.Fatalf("migrate rollback: exit %d\n%s\n%s", code, out, errOut)
	}
	db := fx.instanceNamed(fxProd, "prod-db")
	if aws.ToString(db.DbiResourceId) != aws.ToString(db0.DbiResourceId) || aws.ToString(db.DBInstanceStatus) != "available" ||
		aws.ToString(db.KmsKeyId) != aws.ToString(db0.KmsKeyId) || aws.ToString(db.Endpoint.Address) != aws.ToString(db0.Endpoint.Address) {
		t.Errorf("prod-db after rollback: %s %s on %s; want the original %s, available, on %s", aws.ToString(db.DbiResourceId),
			aws.ToString(db.DBInstanceStatus), aws.ToString(db.KmsKeyId), aws.ToString(db0.DbiResourceId), aws.ToString(db0.KmsKeyId))
	}
	if rb := fx.instanceNamed(fxProd, "prod-db-byok-rb-"+short); aws.ToString(rb.DbiResourceId) == aws.ToString(db0.DbiResourceId) {
		t.Errorf("the restored instance is not kept as prod-db-byok-rb-%s", short)
	}
	cl := fx.clusterNamed(fxProd, "prod-aurora")
	if aws.ToString(cl.DbClusterResourceId) != aws.ToString(cl0.DbClusterResourceId) || aws.ToString(cl.Status) != "available" ||
		len(cl.DBClusterMembers) != 1 || aws.ToString(cl.DBClusterMembers[0].DBInstanceIdentifier) != "prod-aurora-1" {
		t.Errorf("prod-aurora after rollback: %s %s members %+v; want the original %s with prod-aurora-1", aws.ToString(cl.DbClusterResourceId),
			aws.ToString(cl.Status), cl.DBClusterMembers, aws.ToString(cl0.DbClusterResourceId))
	}
	tb, err := fx.ddb(fxProd).DescribeTable(fx.ctx, &dynamodb.DescribeTableInput{TableName: aws.String("prod-orders")})
	fx.check("describe table", err)
	if k := aws.ToString(tb.Table.SSEDescription.KMSMasterKeyArn); k != fx.keys["alias/prod/dynamodb"] {
		t.Errorf("prod-orders on %s after rollback, want %s", k, fx.keys["alias/prod/dynamodb"])
	}
	checkAssetsRolledBack(t, fx)
	var mr migrationRun
	if err := json.Unmarshal([]byte(cliRunOK(t, "migrate", "status", run, "--format", "json")), &mr); err != nil || mr.Status != "rolled-back" {
		t.Errorf("migration run after rollback: %+v, %v", mr, err)
	}
	again := cliRunOK(t, migrationArgs(fx, "migrate", "rollback", run, "--yes")...)
	if !strings.Contains(again, "already rolled back") {
		t.Errorf("second rollback:\n%s", again)
	}
	cliRunOK(t, "audit", "verify")
}

func (fx *fixture) clusterNamed(account, id string) *rdsCluster {
	fx.t.Helper()
	out, err := fx.rds(account).DescribeDBClusters(fx.ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	fx.check("describe "+id, err)
	return &out.DBClusters[0]
}

// TestMigrateRollbackTableSwitchLimit: a table's rollback that DynamoDB's
// daily switch limit refuses stops the rollback run with the time of the
// next allowed switch; once that time has come, migrate resume finishes
// it and the table is back on its old key.
func TestMigrateRollbackTableSwitchLimit(t *testing.T) {
	fx, _ := migrationFixture(t)
	fx.settle(fxProd)
	table := "arn:aws:dynamodb:eu-west-1:" + fxProd + ":table/prod-orders"
	old := fx.keys["alias/prod/dynamodb"]
	switchTable := func(key string) {
		_, err := fx.ddb(fxProd).UpdateTable(fx.ctx, &dynamodb.UpdateTableInput{TableName: aws.String("prod-orders"), SSESpecification: kmsSSE(key)})
		fx.check("switch prod-orders", err)
		fx.settle(fxProd)
	}
	switchTable(fx.keys["alias/prod/s3"]) // switches 1 and 2 of the window
	switchTable(old)
	stop := fx.driveClock(fxProd, nil)
	code, out, errOut := cliRun(t, migrationArgs(fx, "migrate", "apply", "--yes", "--resource", table)...) // switch 3
	stop()
	if code != exitOK {
		t.Fatalf("migrate apply: exit %d\n%s\n%s", code, out, errOut)
	}
	run := runIDFrom(t, out)
	switchTable(fx.keys["alias/prod/s3"]) // switch 4: the window is used up
	code, out, errOut = cliRun(t, migrationArgs(fx, "migrate", "rollback", run, "--yes")...)
	if code != exitFailed || !strings.Contains(errOut, "next switch is allowed at") || !strings.Contains(errOut, "byok migrate resume") {
		t.Fatalf("rollback beyond the switch limit: exit %d\n%s\n%s", code, out, errOut)
	}
	rb := runIDFrom(t, out)
	fx.sb.AdvanceClock(6 * time.Hour)
	stop = fx.driveClock(fxProd, nil)
	code, out, errOut = cliRun(t, migrationArgs(fx, "migrate", "resume", rb)...)
	stop()
	if code != exitOK {
		t.Fatalf("resume of the rollback: exit %d\n%s\n%s", code, out, errOut)
	}
	tb, err := fx.ddb(fxProd).DescribeTable(fx.ctx, &dynamodb.DescribeTableInput{TableName: aws.String("prod-orders")})
	fx.check("describe table", err)
	if k := aws.ToString(tb.Table.SSEDescription.KMSMasterKeyArn); k != old {
		t.Errorf("prod-orders on %s after the rollback, want %s", k, old)
	}
}

// checkAssetsRolledBack: prod-assets' default and objects are on the old
// alias/prod/s3 key again.
func checkAssetsRolledBack(t *testing.T, fx *fixture) {
	t.Helper()
	old := fx.keys["alias/prod/s3"]
	enc, err := fx.s3(fxProd).GetBucketEncryption(fx.ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("prod-assets")})
	fx.check("get bucket encryption", err)
	if k := aws.ToString(enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID); k != old {
		t.Errorf("prod-assets default on %s after rollback, want %s", k, old)
	}
	list, err := fx.s3(fxProd).ListObjectsV2(fx.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("prod-assets")})
	fx.check("list prod-assets", err)
	for _, o := range list.Contents {
		h, err := fx.s3(fxProd).HeadObject(fx.ctx, &s3.HeadObjectInput{Bucket: aws.String("prod-assets"), Key: o.Key})
		fx.check("head", err)
		if k := aws.ToString(h.SSEKMSKeyId); k != old {
			t.Errorf("prod-assets/%s on %s after rollback, want %s", aws.ToString(o.Key), k, old)
		}
	}
}
