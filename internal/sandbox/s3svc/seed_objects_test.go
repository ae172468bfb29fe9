package s3svc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// TestSeedObjects: seeded objects are listed and read like written ones;
// each bad request is refused saying what to fix.
func TestSeedObjects(t *testing.T) {
	sb := sandboxrun.NewTest(t, false)
	const account = "333333333333"
	if err := sb.AddAccount(account, "prod"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := awsx.S3(sb.Config(ctx, account))
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("seeded"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := sb.S3.SeedObjects(s3svc.ObjectsSeed{Bucket: "seeded", Prefix: "p/", Count: 1500, Size: 3}); err != nil || n != 1500 {
		t.Fatalf("seed: %d %v", n, err)
	}
	n, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("seeded"), StartAfter: aws.String("p/0001498")})
	if err != nil || len(n.Contents) != 1 || aws.ToString(n.Contents[0].Key) != "p/0001499" || aws.ToInt64(n.Contents[0].Size) != 3 {
		t.Fatalf("listed %+v %v", n, err)
	}
	for name, tc := range map[string]struct {
		req  s3svc.ObjectsSeed
		want string
	}{
		"no bucket":  {s3svc.ObjectsSeed{Bucket: "missing", Count: 1}, "create it first"},
		"zero count": {s3svc.ObjectsSeed{Bucket: "seeded"}, "count must be"},
		"too many":   {s3svc.ObjectsSeed{Bucket: "seeded", Count: s3svc.MaxSeedObjects + 1}, "count must be"},
		"too big":    {s3svc.ObjectsSeed{Bucket: "seeded", Count: 1, Size: 2 << 20}, "size must be"},
		"long key":   {s3svc.ObjectsSeed{Bucket: "seeded", Count: 1, Prefix: strings.Repeat("k", 1020)}, "prefix too long"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := sb.S3.SeedObjects(tc.req); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
