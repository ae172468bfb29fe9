package s3objects_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/migrate/s3objects"
	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// TestReencryptKeepsAttributes re-encrypts a versioned, Object Lock
// bucket: attributes survive, the object on the target is not copied,
// locked objects are listed and left, the noncurrent versions each copy
// leaves on the old key are counted, and a second pass copies nothing.
func TestReencryptKeepsAttributes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const b = "reenc-attrs"
	e.bucket(t, b, true, true)
	rich := []byte("rich body")
	e.put(t, b, "a/rich+file.txt", e.old, rich, func(in *s3.PutObjectInput) {
		in.Metadata = map[string]string{"owner": "team-a"}
		in.ContentType = aws.String("text/plain")
		in.Tagging = aws.String("env=prod&class=pii")
		in.StorageClass = types.StorageClassStandardIa
		in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32
	})
	e.put(t, b, "b/done", e.target, []byte("done"), nil)
	e.put(t, b, "c/held", e.old, []byte("held"), nil)
	e.put(t, b, "d/retained", e.old, []byte("kept"), nil)
	if _, err := e.s3.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(b), Key: aws.String("c/held"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s3.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(b), Key: aws.String("d/retained"),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(48 * time.Hour))}}); err != nil {
		t.Fatal(err)
	}
	e.put(t, b, "e/plain", e.old, []byte("plain"), nil)

	res, err := s3objects.Run(ctx, e.s3, s3objects.Options{Bucket: b, TargetKeyARN: e.target, InFlight: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := s3objects.Counts{Copied: 2, AlreadyOnTarget: 1, Locked: 2, Bytes: int64(len(rich) + len("plain")),
		LockedKeys: []string{"c/held", "d/retained"}}
	slices.Sort(res.LockedKeys)
	if !equalCounts(res.Counts, want) {
		t.Fatalf("counts %+v, want %+v", res.Counts, want)
	}
	if res.Noncurrent != 2 || res.NoncurrentByKey[e.old] != 2 {
		t.Fatalf("noncurrent %d %v, want 2 on the old key", res.Noncurrent, res.NoncurrentByKey)
	}
	got := e.onKey(t, b, "a/rich+file.txt", e.target, rich)
	if got.Metadata["owner"] != "team-a" || aws.ToString(got.ContentType) != "text/plain" ||
		got.StorageClass != types.StorageClassStandardIa || !aws.ToBool(got.BucketKeyEnabled) || aws.ToInt32(got.TagCount) != 2 {
		t.Fatalf("attributes lost: meta %v type %s class %s bucketKey %v tags %d", got.Metadata, aws.ToString(got.ContentType),
			got.StorageClass, aws.ToBool(got.BucketKeyEnabled), aws.ToInt32(got.TagCount))
	}
	e.onKey(t, b, "e/plain", e.target, []byte("plain"))
	e.onKey(t, b, "c/held", e.old, []byte("held"))
	e.onKey(t, b, "d/retained", e.old, []byte("kept"))
	if n := e.calls.get("CopyObject b/done"); n != 0 {
		t.Fatalf("object on the target copied %d times", n)
	}
	before := e.calls.get("CopyObject")
	again, err := s3objects.Run(ctx, e.s3, s3objects.Options{Bucket: b, TargetKeyARN: e.target})
	if err != nil || again.Copied != 0 || again.AlreadyOnTarget != 3 || e.calls.get("CopyObject") != before {
		t.Fatalf("second pass: %+v %v, copies %d→%d", again.Counts, err, before, e.calls.get("CopyObject"))
	}
}

func equalCounts(a, b s3objects.Counts) bool {
	return a.Copied == b.Copied && a.AlreadyOnTarget == b.AlreadyOnTarget && a.Locked == b.Locked &&
		a.Vanished == b.Vanished && a.Bytes == b.Bytes && slices.Equal(a.LockedKeys, b.LockedKeys)
}

// TestMultipartCopy lowers the threshold so a 6 MiB object goes through
// CreateMultipartUpload/UploadPartCopy (two parts) with its metadata and
// tags named again.
func TestMultipartCopy(t *testing.T) {
	e := newEnv(t)
	const b = "reenc-multipart"
	e.bucket(t, b, false, false)
	big := bytes.Repeat([]byte("0123456789abcdef"), 6<<20/16)
	e.put(t, b, "big", e.old, big, func(in *s3.PutObjectInput) {
		in.Metadata = map[string]string{"owner": "team-b"}
		in.Tagging = aws.String("k=v")
		in.ContentType = aws.String("application/x-big")
	})
	e.put(t, b, "small", e.old, []byte("small"), nil)
	res, err := s3objects.Run(context.Background(), e.s3, s3objects.Options{Bucket: b, TargetKeyARN: e.target,
		MultipartThreshold: s3objects.MinPartSize, PartSize: s3objects.MinPartSize})
	if err != nil || res.Copied != 2 || res.Bytes != int64(len(big)+5) {
		t.Fatalf("%+v %v", res.Counts, err)
	}
	if n := e.calls.get("UploadPartCopy big"); n != 2 {
		t.Fatalf("UploadPartCopy calls %d, want 2", n)
	}
	if e.calls.get("CopyObject big") != 0 || e.calls.get("CopyObject small") != 1 {
		t.Fatal("big must go multipart and small through CopyObject")
	}
	got := e.onKey(t, b, "big", e.target, big)
	if got.Metadata["owner"] != "team-b" || aws.ToInt32(got.TagCount) != 1 || aws.ToString(got.ContentType) != "application/x-big" {
		t.Fatalf("attributes lost: %v %d %s", got.Metadata, aws.ToInt32(got.TagCount), aws.ToString(got.ContentType))
	}
}

// TestThrottlingRecovers: S3 answers SlowDown to the first copies, with
// the SDK's retries off; the engine backs off and finishes.
func TestThrottlingRecovers(t *testing.T) {
	e := newEnv(t)
	const b = "reenc-throttle"
	e.bucket(t, b, false, false)
	for i := range 20 {
		e.put(t, b, objKey(i), e.old, []byte("x"), nil)
	}
	e.sb.SetFaults([]faults.Rule{{Service: "s3", Operation: "CopyObject", Code: "SlowDown", Status: 503, Count: 6}}, false)
	noRetry := s3.NewFromConfig(e.count(e.sb.Config(context.Background(), account)), func(o *s3.Options) {
		o.UsePathStyle, o.RetryMaxAttempts = true, 1
	})
	res, err := s3objects.Run(context.Background(), noRetry, s3objects.Options{Bucket: b, TargetKeyARN: e.target, InFlight: 4})
	if err != nil || res.Copied != 20 {
		t.Fatalf("%+v %v", res.Counts, err)
	}
	if n := e.calls.get("CopyObject"); n != 26 {
		t.Fatalf("CopyObject calls %d, want 20 + 6 throttled", n)
	}
}

// TestDisabledTargetStops: a disabled target key stops the pass with the
// KMS error S3 relays, naming the object; the checkpoint holds no mark
// past what was done.
func TestDisabledTargetStops(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const b = "reenc-disabled"
	e.bucket(t, b, false, false)
	for i := range 5 {
		e.put(t, b, objKey(i), e.old, []byte("x"), nil)
	}
	if _, err := e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(e.target)}); err != nil {
		t.Fatal(err)
	}
	cp := &memCheckpoint{}
	res, err := s3objects.Run(ctx, e.s3, s3objects.Options{Bucket: b, TargetKeyARN: e.target, Checkpoint: cp})
	var oe *s3objects.ObjectError
	var ae smithy.APIError
	if !errors.As(err, &oe) || oe.Op != "CopyObject" || !errors.As(err, &ae) || ae.ErrorCode() != "KMS.DisabledException" {
		t.Fatalf("err %v, want CopyObject failing with KMS.DisabledException", err)
	}
	if res.Copied != 0 || cp.after != "" {
		t.Fatalf("reported %+v, mark %q: nothing was copied", res.Counts, cp.after)
	}
}

func TestOptionsRefused(t *testing.T) {
	e := newEnv(t)
	for name, tc := range map[string]struct {
		opts s3objects.Options
		want error
	}{
		"alias target":    {s3objects.Options{Bucket: "b", TargetKeyARN: "alias/prod/s3"}, s3objects.ErrBadTarget},
		"alias arn":       {s3objects.Options{Bucket: "b", TargetKeyARN: "arn:aws:kms:eu-west-1:111111111111:alias/prod/s3"}, s3objects.ErrBadTarget},
		"no bucket":       {s3objects.Options{TargetKeyARN: e.target}, s3objects.ErrBadOptions},
		"tiny threshold":  {s3objects.Options{Bucket: "b", TargetKeyARN: e.target, MultipartThreshold: 1 << 20}, s3objects.ErrBadOptions},
		"too many flying": {s3objects.Options{Bucket: "b", TargetKeyARN: e.target, InFlight: 20000}, s3objects.ErrBadOptions},
		"tiny part":       {s3objects.Options{Bucket: "b", TargetKeyARN: e.target, PartSize: 100}, s3objects.ErrBadOptions},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := s3objects.Run(context.Background(), e.s3, tc.opts); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}
