package s3batch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/migrate/s3batch"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

const account = "333333333333"

type env struct {
	sb     *sandboxrun.Sandbox
	s3     *s3.Client
	ctl    *s3control.Client
	target string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(account, "prod"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := sb.Config(ctx, account)
	e := &env{sb: sb, s3: awsx.S3(cfg), ctl: awsx.S3Control(cfg)}
	k, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	e.target = aws.ToString(k.KeyMetadata.Arn)
	for _, b := range []string{"data", "byok-batch"} {
		if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// fill writes n objects named by name(i), 16 at a time.
func (e *env) fill(t *testing.T, n int, name func(int) string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(name(i)),
				Body: strings.NewReader("v")})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (e *env) options(token string) s3batch.Options {
	return s3batch.Options{Spec: s3batch.JobSpec{Account: account, Bucket: "data", TargetKeyARN: e.target,
		RoleARN: "arn:aws:iam::" + account + ":role/byok-batch", ReportBucket: "byok-batch", ReportPrefix: "reports", Token: token},
		ManifestBucket: "byok-batch", ManifestKey: "manifests/" + token + ".csv", Poll: 10 * time.Millisecond}
}

type memCheckpoint struct{ st s3batch.State }

func (m *memCheckpoint) Load(context.Context) (s3batch.State, error)   { return m.st, nil }
func (m *memCheckpoint) Save(_ context.Context, s s3batch.State) error { m.st = s; return nil }

// TestRunReportsFailures writes the manifest, deletes one listed object,
// then runs from that checkpoint: the manifest is reused, every other
// object ends on the target key, and the report names the missing one.
func TestRunReportsFailures(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.fill(t, 40, func(i int) string { return fmt.Sprintf("dir/obj %03d+", i) })
	opts := e.options("run-1")
	m, err := s3batch.WriteManifest(ctx, e.s3, "data", opts.ManifestBucket, opts.ManifestKey)
	if err != nil || m.Objects != 40 || m.Bytes != 40 {
		t.Fatalf("manifest %+v %v", m, err)
	}
	if _, err := e.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/obj 007+")}); err != nil {
		t.Fatal(err)
	}
	cp := &memCheckpoint{st: s3batch.State{Manifest: &m}}
	opts.Checkpoint = cp
	var polls int
	opts.Progress = func(s3batch.Status) { polls++ }
	res, err := s3batch.Run(ctx, e.s3, e.ctl, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status.Succeeded != 39 || res.Report.Succeeded != 39 || res.Report.Failed != 1 || polls == 0 || cp.st.JobID != res.JobID {
		t.Fatalf("result %+v, checkpoint %+v", res, cp.st)
	}
	if f := res.Report.Failures[0]; f.Key != "dir/obj 007+" || f.Code != "NoSuchKey" || f.HTTPStatus != 404 {
		t.Fatalf("failure %+v", f)
	}
	out, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/obj 039+")})
	if err != nil || aws.ToString(out.SSEKMSKeyId) != e.target || !aws.ToBool(out.BucketKeyEnabled) {
		t.Fatalf("object after the job: %v %v", out, err)
	}
	// A resumed run with the job in its checkpoint only tracks it; a
	// resubmission with the same token and manifest is the same job.
	again, err := s3batch.Run(ctx, e.s3, e.ctl, opts)
	if err != nil || again.JobID != res.JobID {
		t.Fatalf("resumed: %+v %v", again, err)
	}
	id, err := s3batch.Submit(ctx, e.ctl, opts.Spec, m)
	if err != nil || id != res.JobID {
		t.Fatalf("resubmitted: %s %v, want %s", id, err, res.JobID)
	}
}

// TestLargeManifestIsMultipart: a manifest above one part (5 MiB) is
// uploaded in parts, and the job reads all of it.
func TestLargeManifestIsMultipart(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	long := strings.Repeat("k", 900)
	e.fill(t, 6000, func(i int) string { return fmt.Sprintf("%s%05d", long, i) })
	res, err := s3batch.Run(ctx, e.s3, e.ctl, e.options("big"))
	if err != nil || res.Manifest.Objects != 6000 || res.Report.Succeeded != 6000 {
		t.Fatalf("%+v %v", res.Status, err)
	}
	head, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("byok-batch"), Key: aws.String("manifests/big.csv")})
	if err != nil || !strings.HasSuffix(aws.ToString(head.ETag), `-2"`) {
		t.Fatalf("manifest object %v %v: want a two-part upload", aws.ToString(head.ETag), err)
	}
}

// TestFailedJob: a manifest changed after it was recorded fails the job
// (ETag mismatch), reported as a JobError with S3's reason.
func TestFailedJob(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.fill(t, 3, func(i int) string { return fmt.Sprint(i) })
	opts := e.options("stale")
	m, err := s3batch.WriteManifest(ctx, e.s3, "data", opts.ManifestBucket, opts.ManifestKey)
	if err != nil {
		t.Fatal(err)
	}
	m.ETag = `"00000000000000000000000000000000"`
	opts.Checkpoint = &memCheckpoint{st: s3batch.State{Manifest: &m}}
	_, err = s3batch.Run(ctx, e.s3, e.ctl, opts)
	var je *s3batch.JobError
	if !errors.Is(err, s3batch.ErrJobFailed) || !errors.As(err, &je) || je.Status != "Failed" || !strings.Contains(strings.Join(je.Reasons, ""), "ManifestETagMismatch") {
		t.Fatalf("err %v", err)
	}
}

func TestOptionsRefused(t *testing.T) {
	e := newEnv(t)
	for name, mod := range map[string]func(*s3batch.Options){
		"no token":       func(o *s3batch.Options) { o.Spec.Token = "" },
		"long token":     func(o *s3batch.Options) { o.Spec.Token = strings.Repeat("t", 65) },
		"bad account":    func(o *s3batch.Options) { o.Spec.Account = "prod" },
		"no manifest":    func(o *s3batch.Options) { o.ManifestBucket = "" },
		"no role":        func(o *s3batch.Options) { o.Spec.RoleARN = "" },
		"no target":      func(o *s3batch.Options) { o.Spec.TargetKeyARN = "" },
		"no report dest": func(o *s3batch.Options) { o.Spec.ReportBucket = "" },
	} {
		t.Run(name, func(t *testing.T) {
			o := e.options("x")
			mod(&o)
			if _, err := s3batch.Run(context.Background(), e.s3, e.ctl, o); !errors.Is(err, s3batch.ErrBadOptions) {
				t.Fatalf("err %v, want ErrBadOptions", err)
			}
		})
	}
}
