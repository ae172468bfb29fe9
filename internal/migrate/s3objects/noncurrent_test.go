package s3objects_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/migrate/s3objects"
)

// TestNoncurrentListedOnlyWhenVersioningWasEnabled: a bucket whose
// versioning was never enabled is not listed by version (it cannot hold
// noncurrent versions); one whose versioning is suspended still is, and
// the versions left on the old key while it was enabled are counted (v1
// and v2 of the key, behind the copy).
func TestNoncurrentListedOnlyWhenVersioningWasEnabled(t *testing.T) {
	for name, tc := range map[string]struct {
		status     types.BucketVersioningStatus // "" never enabled
		wantListed bool
		want       int64
	}{
		"never versioned": {status: "", wantListed: false, want: 0},
		"suspended":       {status: types.BucketVersioningStatusSuspended, wantListed: true, want: 2},
		"enabled":         {status: types.BucketVersioningStatusEnabled, wantListed: true, want: 2},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			const b = "noncurrent"
			e.bucket(t, b, tc.status != "", false)
			e.put(t, b, "k", e.old, []byte("v1"), nil)
			e.put(t, b, "k", e.old, []byte("v2"), nil) // a noncurrent version when versioned
			if tc.status == types.BucketVersioningStatusSuspended {
				if _, err := e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
					VersioningConfiguration: &types.VersioningConfiguration{Status: tc.status}}); err != nil {
					t.Fatal(err)
				}
			}
			res, err := s3objects.Run(ctx, e.s3, s3objects.Options{Bucket: b, TargetKeyARN: e.target})
			if err != nil {
				t.Fatal(err)
			}
			if listed := e.calls.get("ListObjectVersions") > 0; listed != tc.wantListed {
				t.Fatalf("ListObjectVersions called: %v, want %v", listed, tc.wantListed)
			}
			if res.Copied != 1 || res.Noncurrent != tc.want || res.NoncurrentByKey[e.old] != tc.want {
				t.Fatalf("copied %d, noncurrent %d %v; want 1 copied, %d on the old key", res.Copied, res.Noncurrent, res.NoncurrentByKey, tc.want)
			}
		})
	}
}
