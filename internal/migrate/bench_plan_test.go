package migrate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/sandbox"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// The plan benchmark counts in a child process (this test binary again,
// BYOK_PLAN_BENCH_CHILD set) so that the peak RSS measured (rusage
// maxrss) is the planner's, not the sandbox's that holds the objects.
const planChildEnv = "BYOK_PLAN_BENCH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(planChildEnv) != "" {
		os.Exit(planChild())
	}
	os.Exit(m.Run())
}

type planChildResult struct {
	Objects, Bytes int64
	Seconds        float64
	PeakKiB        int64  // VmHWM: the child's own peak RSS
	Err            string `json:",omitempty"`
}

// peakRSS is the process's own peak resident set (VmHWM, KiB). Not
// rusage's maxrss of the child: Linux carries the parent's peak into it
// at exec, and the parent holds the sandbox's million objects.
func peakRSS() int64 {
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

// planChild counts BYOK_BENCH_BUCKET as migrate plan does (CountObjects,
// ListObjectsV2 one page at a time).
func planChild() int {
	cfg := aws.Config{Region: os.Getenv("AWS_REGION"), BaseEndpoint: aws.String(os.Getenv("AWS_ENDPOINT_URL")),
		Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), "")}
	start := time.Now()
	n, size, err := migrate.CountObjects(context.Background(), awsx.S3(cfg), os.Getenv("BYOK_BENCH_BUCKET"))
	r := planChildResult{Objects: n, Bytes: size, Seconds: time.Since(start).Seconds(), PeakKiB: peakRSS()}
	if err != nil {
		r.Err = err.Error()
	}
	_ = json.NewEncoder(os.Stdout).Encode(r)
	if err != nil {
		return 1
	}
	return 0
}

// BenchmarkPlanMillionObjects counts a 1,000,000-object bucket the way
// byok migrate plan estimates a bucket and reports the planner's peak
// RSS. go test -run '^$' -bench PlanMillion -benchtime 1x ./internal/migrate/
func BenchmarkPlanMillionObjects(b *testing.B) {
	const n, account, bucket = 1_000_000, "333333333333", "bench-plan-1m"
	sb := sandboxrun.NewTest(b, false)
	if err := sb.AddAccount(account, "prod"); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := awsx.S3(sb.Config(ctx, account)).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(sb.Region())}}); err != nil {
		b.Fatal(err)
	}
	if _, err := sb.S3.SeedObjects(s3svc.ObjectsSeed{Bucket: bucket, Prefix: "logs/2026/", Count: n, Size: 0}); err != nil {
		b.Fatal(err)
	}
	akid, secret := sandbox.AccountKeys(account)
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), planChildEnv+"=1", "AWS_ENDPOINT_URL="+sb.URL(), "AWS_REGION="+sb.Region(),
			"AWS_ACCESS_KEY_ID="+akid, "AWS_SECRET_ACCESS_KEY="+secret, "BYOK_BENCH_BUCKET="+bucket)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			b.Fatalf("child: %v\n%s\n%s", err, out.String(), errb.String())
		}
		var r planChildResult
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			b.Fatal(err)
		}
		if r.PeakKiB <= 0 {
			b.Fatal("the child could not read its peak RSS (/proc/self/status VmHWM)")
		}
		rss := float64(r.PeakKiB) / 1024
		b.ReportMetric(float64(r.Objects)/r.Seconds, "objects/s")
		b.ReportMetric(rss, "maxrss-MiB")
		b.Logf("counted %d objects in %.1f s; planner peak RSS %.1f MiB", r.Objects, r.Seconds, rss)
		if r.Objects != n || rss >= 200 {
			b.Errorf("want %d objects counted with RSS < 200 MiB", n)
		}
	}
}
