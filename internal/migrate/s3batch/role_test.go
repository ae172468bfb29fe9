package s3batch_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/migrate/s3batch"
)

// TestRoleActionsCoverTheJob runs a job over objects on an old SSE-KMS
// key (tagged, a manifest in a bucket encrypted under the old key too)
// and reads CloudTrail: every KMS call S3 made on the job role's behalf
// is in RoleActions, and every KMS action RoleActions lists was made.
// The S3 actions are CopyObject's (the sandbox records no S3 data
// events); deploy's test checks the role grants exactly RoleActions.
func TestRoleActionsCoverTheJob(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cfg := e.sb.Config(ctx, account)
	k, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("old")})
	if err != nil {
		t.Fatal(err)
	}
	old := aws.ToString(k.KeyMetadata.Arn)
	_, err = e.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("byok-batch"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(old)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		_, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(fmt.Sprint("o", i)), Body: strings.NewReader("v"),
			ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(old), Tagging: aws.String("team=a")})
		if err != nil {
			t.Fatal(err)
		}
	}
	opts := e.options("role")
	opts.Spec.RoleARN = "arn:aws:iam::" + account + ":role/byok-batch-operations"
	res, err := s3batch.Run(ctx, e.s3, e.ctl, opts)
	if err != nil || res.Report.Succeeded != 5 {
		t.Fatalf("job: %+v %v", res.Report, err)
	}
	tags, err := e.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String("o0")})
	if err != nil || len(tags.TagSet) != 1 {
		t.Fatalf("tags after the copy: %+v %v", tags, err)
	}
	used := roleKMSCalls(t, cloudtrail.NewFromConfig(cfg), "assumed-role/byok-batch-operations/")
	var listed []string
	for _, a := range s3batch.RoleActions {
		if strings.HasPrefix(a, "kms:") {
			listed = append(listed, a)
		}
	}
	for _, a := range used {
		if !slices.Contains(listed, a) {
			t.Errorf("S3 called %s on the batch role's behalf; add it to RoleActions and deploy/member-account.yaml", a)
		}
	}
	for _, a := range listed {
		if !slices.Contains(used, a) {
			t.Errorf("RoleActions lists %s, which the job never needed", a)
		}
	}
}

// roleKMSCalls returns the IAM actions of the KMS events whose principal
// ARN contains who, sorted and unique.
func roleKMSCalls(t *testing.T, c *cloudtrail.Client, who string) []string {
	t.Helper()
	var out []string
	p := cloudtrail.NewLookupEventsPaginator(c, &cloudtrail.LookupEventsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.Events {
			if aws.ToString(ev.EventSource) == "kms.amazonaws.com" && strings.Contains(aws.ToString(ev.CloudTrailEvent), who) {
				out = append(out, "kms:"+aws.ToString(ev.EventName))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
