package sandboxrun_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

func TestDemoResourcesSeeded(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	cfg := sb.Config(ctx, "333333333333")
	tables, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(tables.TableNames) != 2 {
		t.Fatalf("prod tables = %v, %v; want orders and sessions", tables, err)
	}
	dbs, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	if err != nil || len(dbs.DBInstances) != 3 {
		t.Fatalf("prod DB instances = %d, %v; want prod-db and two aurora members", len(dbs.DBInstances), err)
	}
	for _, db := range dbs.DBInstances {
		if !aws.ToBool(db.StorageEncrypted) || aws.ToString(db.KmsKeyId) == "" {
			t.Fatalf("%s is not on a KMS key", aws.ToString(db.DBInstanceIdentifier))
		}
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("byok-demo-prod-legacy-exports")})
	if err == nil {
		t.Fatal("legacy bucket has an encryption configuration; want none")
	}
	logs, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("byok-demo-prod-logs")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(logs.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID); got != "alias/prod/s3" {
		t.Fatalf("logs bucket key = %q, want the bare alias stored verbatim", got)
	}
}
