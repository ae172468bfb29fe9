package migrate_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// recorder notes every SDK call made through a config as its IAM action.
type recorder struct {
	mu      sync.Mutex
	actions map[string]bool
}

func (r *recorder) attach(cfg aws.Config) aws.Config {
	cfg = cfg.Copy()
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("byok-record", func(ctx context.Context,
			in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			r.mu.Lock()
			r.actions[migrate.ActionOf(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx))] = true
			r.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	})
	return cfg
}

// TestPreflightCallsAreListed runs the pre-flight of an instance, a
// cluster, a table and a bucket against the seeded sandbox and checks that
// every call made through the migration role's clients is one of
// PreflightActions (what deploy/'s migration role grants), and that every
// listed action was used (the list is not stale).
func TestPreflightCallsAreListed(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	const prod, region = "333333333333", "eu-west-1"
	sec := kms.NewFromConfig(sb.Config(ctx, "111111111111"))
	target := func(alias string) string {
		out, err := sec.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.KeyMetadata.Arn)
	}
	// A versioned bucket with one object written twice: one current and
	// one noncurrent version.
	admin := awsx.S3(sb.Config(ctx, prod))
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("byok-demo-prod-versioned"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("byok-demo-prod-versioned"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"first", "second!"} {
		if _, err := admin.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("byok-demo-prod-versioned"), Key: aws.String("log"),
			Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{actions: map[string]bool{}}
	roleCfg := rec.attach(sb.Config(ctx, prod))
	deps := migrate.Deps{
		RDS:      func(string, string) migrate.RDS { return rds.NewFromConfig(sb.Config(ctx, prod)) },
		DynamoDB: func(string, string) migrate.DynamoDB { return dynamodb.NewFromConfig(sb.Config(ctx, prod)) },
		RoleARN:  func(a string) string { return "arn:aws:iam::" + a + ":role/byok-migration" },
		Assume: func(context.Context, string, string) (migrate.Role, error) {
			return migrate.Role{KMS: kms.NewFromConfig(roleCfg), S3: awsx.S3(roleCfg), Trail: cloudtrail.NewFromConfig(roleCfg)}, nil
		},
	}
	res := func(typ compliance.ResourceType, name, arn string) compliance.Result {
		return compliance.Result{Resource: compliance.Resource{Type: typ, Name: name, ARN: arn, Account: prod, Region: region},
			Reason: compliance.ReasonKeySuperseded}
	}
	items := []migrate.Item{
		migrate.Draft(res(compliance.RDSInstance, "prod-db", "arn:aws:rds:eu-west-1:333333333333:db:prod-db"), migrate.Target{Env: "prod", KeyARN: target("alias/prod/rds")}),
		migrate.Draft(res(compliance.RDSCluster, "prod-aurora", "arn:aws:rds:eu-west-1:333333333333:cluster:prod-aurora"), migrate.Target{Env: "prod", KeyARN: target("alias/prod/rds")}),
		migrate.Draft(res(compliance.DynamoDBTable, "prod-orders", "arn:aws:dynamodb:eu-west-1:333333333333:table/prod-orders"), migrate.Target{Env: "prod", KeyARN: target("alias/prod/dynamodb")}),
		migrate.Draft(res(compliance.S3Bucket, "byok-demo-prod-app-data", "arn:aws:s3:::byok-demo-prod-app-data"), migrate.Target{Env: "prod", KeyARN: target("alias/prod/s3")}),
		migrate.Draft(res(compliance.S3Bucket, "byok-demo-prod-versioned", "arn:aws:s3:::byok-demo-prod-versioned"), migrate.Target{Env: "prod", KeyARN: target("alias/prod/s3")}),
	}
	for _, it := range migrate.Gather(ctx, items, deps, time.Now(), 2) {
		if !it.Ready() {
			t.Errorf("%s not ready: %+v", it.Name, it.Checks)
		}
		if it.Name == "byok-demo-prod-versioned" && (it.Estimate.Objects != 1 || it.Estimate.Bytes != 7 || it.Estimate.Noncurrent != 1) {
			t.Errorf("versioned bucket estimate = %+v; want 1 object of 7 bytes and 1 noncurrent version", it.Estimate)
		}
	}
	for a := range rec.actions {
		if !slices.Contains(migrate.PreflightActions, a) {
			t.Errorf("the pre-flight calls %s through the migration role; add it to PreflightActions and deploy/member-account.yaml", a)
		}
	}
	for _, a := range migrate.PreflightActions {
		if !rec.actions[a] {
			t.Errorf("PreflightActions lists %s, which the pre-flight never called", a)
		}
	}
}

func TestActionOf(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"S3", "ListObjectsV2"}: "s3:ListBucket", {"S3", "UploadPartCopy"}: "s3:PutObject",
		{"S3", "PutBucketEncryption"}: "s3:PutEncryptionConfiguration", {"S3", "GetObject"}: "s3:GetObject",
		{"KMS", "DescribeKey"}: "kms:DescribeKey", {"CloudTrail", "LookupEvents"}: "cloudtrail:LookupEvents",
		{"RDS", "CopyDBSnapshot"}: "rds:CopyDBSnapshot", {"DynamoDB", "UpdateTable"}: "dynamodb:UpdateTable",
	} {
		if got := migrate.ActionOf(in[0], in[1]); got != want {
			t.Errorf("ActionOf(%s, %s) = %s, want %s", in[0], in[1], got, want)
		}
	}
}
