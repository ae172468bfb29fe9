package conformance_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/configrule"
	"github.com/byok-dev/byok/internal/conformance/backend"
)

// recordWait bounds how long AWS Config may take to record a new bucket;
// the sandbox records it at once and gets no wait at all.
const recordWait = 15 * time.Minute

// The Config rule reads S3 encryption from the items Config records, as
// the history API returns them (supplementary values as JSON strings),
// and fetches an oversized notification's item with laterTime = its
// capture time, limit 1, which must return that very item (laterTime is
// inclusive). On AWS this creates one empty bucket with SSE-KMS under the
// AWS managed key (no KMS key is created) and deletes it at the end.
func TestRuleReadsRecordedBucket(t *testing.T) {
	backend.Each(t, func(t *testing.T, b *backend.Backend) {
		ctx := context.Background()
		name := createBucket(t, b)
		cfg := configservice.NewFromConfig(b.Config(t, b.Security))
		item := waitRecorded(ctx, t, b, cfg, name)

		r, err := configrule.ResourceFromItem(configrule.ItemFromBase(item))
		if err != nil {
			t.Fatalf("%s: the rule cannot read the recorded bucket: %v", b.Name(), err)
		}
		if r.Encryption != compliance.EncryptionKMS || r.KeyRef != "alias/aws/s3" {
			t.Fatalf("%s: rule reads encryption %v key %q, want KMS alias/aws/s3; supplementary = %v",
				b.Name(), r.Encryption, r.KeyRef, item.SupplementaryConfiguration)
		}
		at := aws.ToTime(item.ConfigurationItemCaptureTime)
		h, err := cfg.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
			ResourceType: types.ResourceTypeBucket, ResourceId: aws.String(name), LaterTime: aws.Time(at), Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.ConfigurationItems) != 1 || !aws.ToTime(h.ConfigurationItems[0].ConfigurationItemCaptureTime).Equal(at) {
			t.Fatalf("%s: laterTime = capture time %v returned %+v, want that item", b.Name(), at, h.ConfigurationItems)
		}
	})
}

// createBucket creates an empty bucket with default SSE-KMS under the AWS
// managed key, emptied and deleted when the test ends.
func createBucket(t *testing.T, b *backend.Backend) string {
	t.Helper()
	name := b.Unique("bucket")
	b.Bucket(t, b.Security, name)
	_, err := awsx.S3(b.Config(t, b.Security)).PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String(name),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms}}}}})
	if err != nil {
		t.Fatalf("%s: put bucket encryption: %v", b.Name(), err)
	}
	return name
}

// waitRecorded returns the bucket's current item once Config has recorded
// it with its encryption. The sandbox must have it on the first read; AWS
// records asynchronously, so it is polled until recordWait.
func waitRecorded(ctx context.Context, t *testing.T, b *backend.Backend, cfg *configservice.Client, name string) types.BaseConfigurationItem {
	t.Helper()
	deadline := time.Now().Add(recordWait)
	for pause := 10 * time.Second; ; pause = min(2*pause, time.Minute) {
		out, err := cfg.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{
			ResourceKeys: []types.ResourceKey{{ResourceType: types.ResourceTypeBucket, ResourceId: aws.String(name)}}})
		if err != nil {
			t.Fatalf("%s: batch get resource config: %v", b.Name(), err)
		}
		for _, it := range out.BaseConfigurationItems {
			if _, ok := it.SupplementaryConfiguration["ServerSideEncryptionConfiguration"]; ok {
				return it
			}
		}
		if !b.IsAWS() || time.Now().After(deadline) {
			t.Fatalf("%s: bucket %s not recorded with its encryption (after %v on AWS; at once on the sandbox)", b.Name(), name, recordWait)
		}
		t.Logf("%s: waiting %v for AWS Config to record %s", b.Name(), pause, name)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
}
