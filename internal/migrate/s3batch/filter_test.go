package s3batch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/byok-dev/byok/internal/migrate/s3batch"
)

// keepPrefix keeps the listed objects whose key starts with p.
func keepPrefix(p string) s3batch.Filter {
	return func(_ context.Context, page []s3types.Object) ([]s3types.Object, error) {
		var out []s3types.Object
		for _, o := range page {
			if strings.HasPrefix(aws.ToString(o.Key), p) {
				out = append(out, o)
			}
		}
		return out, nil
	}
}

// TestFilteredManifest: a filter writes only the rows it keeps, across
// listing pages; a filter error stops the manifest, naming the bucket; a
// filter that keeps nothing submits no job.
func TestFilteredManifest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.fill(t, 1200, func(i int) string {
		return fmt.Sprintf("%s/%04d", map[bool]string{true: "keep", false: "skip"}[i%3 == 0], i)
	})
	m, err := s3batch.WriteFilteredManifest(ctx, e.s3, "data", "byok-batch", "m.csv", keepPrefix("keep/"))
	if err != nil || m.Objects != 400 || m.Bytes != 400 {
		t.Fatalf("manifest %+v, %v; want 400 rows", m, err)
	}
	out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("byok-batch"), Key: aws.String("m.csv")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	if n := strings.Count(string(body), "\n"); n != 400 || strings.Contains(string(body), "skip") {
		t.Fatalf("manifest has %d rows (skipped ones: %v)", n, strings.Contains(string(body), "skip"))
	}
	boom := errors.New("head failed")
	_, err = s3batch.WriteFilteredManifest(ctx, e.s3, "data", "byok-batch", "m2.csv",
		func(context.Context, []s3types.Object) ([]s3types.Object, error) { return nil, boom })
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "data") {
		t.Fatalf("filter error: %v", err)
	}
	opts := e.options("none-kept")
	opts.Filter = keepPrefix("nothing/")
	res, err := s3batch.Run(ctx, e.s3, e.ctl, opts)
	if err != nil || res.JobID != "" || res.Manifest.Objects != 0 {
		t.Fatalf("run with nothing kept: %+v, %v; want no job", res, err)
	}
	jobs, err := e.ctl.ListJobs(ctx, &s3control.ListJobsInput{AccountId: aws.String(account)})
	if err != nil || len(jobs.Jobs) != 0 {
		t.Fatalf("jobs %+v, %v; want none", jobs, err)
	}
}
