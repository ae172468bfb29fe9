package sharedstate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/sharedstate"
)

// TestBucketRegion: HeadBucket names the state bucket's Region from its
// own Region (200) and from another (301), another account's bucket's
// Region (403), and a missing bucket is
// ErrNoBucket, through the real SDK against the sandbox's S3.
func TestBucketRegion(t *testing.T) {
	c := newS3(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		region, bucket string
		want           string
		err            error
	}{
		"home Region":                    {region: region, bucket: bucket, want: region},
		"another Region":                 {region: "us-east-1", bucket: bucket, want: region},
		"far Region":                     {region: "ap-southeast-2", bucket: bucket, want: region},
		"another account's bucket (403)": {region: region, bucket: otherBucket, want: otherRegion},
		"missing bucket":                 {region: region, bucket: "byok-no-such-bucket", err: sharedstate.ErrNoBucket},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := sharedstate.BucketRegion(ctx, inRegion{c, tc.region}, tc.bucket)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("BucketRegion from %s: %q, %v; want %q, %v", tc.region, got, err, tc.want, tc.err)
			}
		})
	}
}

// inRegion signs the client's calls for another Region.
type inRegion struct {
	c      *s3.Client
	region string
}

func (r inRegion) HeadBucket(ctx context.Context, in *s3.HeadBucketInput, opts ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	return r.c.HeadBucket(ctx, in, append(opts, func(o *s3.Options) { o.Region = r.region })...)
}
