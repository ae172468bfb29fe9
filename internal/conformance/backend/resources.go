package backend

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
)

// TagKey tags every KMS key a variant creates, with the run ID as value,
// so that a key left by an interrupted run can be found and deleted.
const TagKey = "byok-conformance"

// MinDeletionWindow is KMS's shortest pending window (days).
const MinDeletionWindow = 7

var seq atomic.Int64

var nameRE = regexp.MustCompile(`[^a-z0-9-]+`)

// Unique is a resource name unique to this run, valid for S3 buckets,
// DynamoDB tables and aliases: byok-conf-RUN-N-kind.
func (b *Backend) Unique(kind string) string {
	k := strings.Trim(nameRE.ReplaceAllString(strings.ToLower(kind), "-"), "-")
	n := fmt.Sprintf("byok-conf-%s-%d-%s", b.Run, seq.Add(1), k)
	return n[:min(len(n), 63)]
}

// KMSTags are the tags a created key must carry.
func (b *Backend) KMSTags() []ktypes.Tag {
	return []ktypes.Tag{{TagKey: aws.String(TagKey), TagValue: aws.String(b.Run)}}
}

// KMSKey creates a key in account with the run's tag and schedules its
// deletion (the 7-day minimum) when the test ends.
func (b *Backend) KMSKey(t testing.TB, account string, in *kms.CreateKeyInput) *ktypes.KeyMetadata {
	t.Helper()
	if in.Description == nil {
		in.Description = aws.String("byok conformance run " + b.Run + "; deletion scheduled by the test")
	}
	out, err := b.KMS(t, account).CreateKey(context.Background(), in)
	if err != nil {
		t.Fatalf("%s: create key: %v", b.Name(), err)
	}
	return out.KeyMetadata
}

func (b *Backend) deleteKey(t testing.TB, c *kms.Client, id string) {
	_, err := c.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id),
		PendingWindowInDays: aws.Int32(MinDeletionWindow)})
	var pending *ktypes.KMSInvalidStateException
	var gone *ktypes.NotFoundException
	if err != nil && !asErr(err, &pending) && !asErr(err, &gone) {
		t.Errorf("%s: schedule deletion of key %s: %v (schedule it by hand; it is tagged %s=%s)", b.Name(), id, err, TagKey, b.Run)
	}
}

// Alias creates alias name for key in account, deleted when the test ends.
func (b *Backend) Alias(t testing.TB, account, name, keyID string) {
	t.Helper()
	if _, err := b.KMS(t, account).CreateAlias(context.Background(), &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: aws.String(keyID)}); err != nil {
		t.Fatalf("%s: create alias %s: %v", b.Name(), name, err)
	}
}

// deleteAlias removes an alias the test created, unless the test did.
func (b *Backend) deleteAlias(t testing.TB, c *kms.Client, name string) {
	_, err := c.DeleteAlias(context.Background(), &kms.DeleteAliasInput{AliasName: aws.String(name)})
	var gone *ktypes.NotFoundException
	if err != nil && !asErr(err, &gone) {
		t.Errorf("%s: delete alias %s: %v (delete it by hand)", b.Name(), name, err)
	}
}

// Bucket creates bucket name in account's region; when the test ends its
// objects are deleted, then the bucket.
func (b *Backend) Bucket(t testing.TB, account, name string) {
	t.Helper()
	cfg := b.Config(t, account)
	c := awsx.S3(cfg)
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if cfg.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(cfg.Region)}
	}
	if _, err := c.CreateBucket(context.Background(), in); err != nil {
		t.Fatalf("%s: create bucket %s: %v", b.Name(), name, err)
	}
	t.Cleanup(func() {
		if err := emptyBucket(c, name); err != nil {
			t.Errorf("%s: empty bucket %s: %v (delete it by hand)", b.Name(), name, err)
			return
		}
		if _, err := c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Errorf("%s: delete bucket %s: %v (delete it by hand)", b.Name(), name, err)
		}
	})
}

func emptyBucket(c *s3.Client, name string) error {
	ctx := context.Background()
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: o.Key}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Table creates a DynamoDB table in account (on-demand billing unless in
// says otherwise), deleted when the test ends.
func (b *Backend) Table(t testing.TB, account string, in *dynamodb.CreateTableInput) *dynamodb.CreateTableOutput {
	t.Helper()
	c := dynamodb.NewFromConfig(b.Config(t, account))
	if in.BillingMode == "" && in.ProvisionedThroughput == nil {
		in.BillingMode = "PAY_PER_REQUEST"
	}
	out, err := c.CreateTable(context.Background(), in)
	if err != nil {
		t.Fatalf("%s: create table %s: %v", b.Name(), aws.ToString(in.TableName), err)
	}
	t.Cleanup(func() {
		_, err := c.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: in.TableName})
		var gone *dtypesNotFound
		if err != nil && !asErr(err, &gone) {
			t.Errorf("%s: delete table %s: %v (delete it by hand)", b.Name(), aws.ToString(in.TableName), err)
		}
	})
	return out
}
