package s3objects_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/migrate/s3objects"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
)

// TestListsEveryPage: a bucket of three listing pages (the next page is
// fetched while one is handed out) is copied whole, each object once.
func TestListsEveryPage(t *testing.T) {
	e := newEnv(t)
	const b, n = "reenc-pages", 2100
	e.bucket(t, b, false, false)
	if _, err := e.s3.PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String(b),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String(e.old)}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sb.S3.SeedObjects(s3svc.ObjectsSeed{Bucket: b, Prefix: "p/", Count: n, Size: 8}); err != nil {
		t.Fatal(err)
	}
	cp := &memCheckpoint{}
	res, err := s3objects.Run(context.Background(), e.s3, s3objects.Options{Bucket: b, TargetKeyARN: e.target, InFlight: 16, Checkpoint: cp})
	if err != nil || res.Copied != n {
		t.Fatalf("copied %d (%v), want %d", res.Copied, err, n)
	}
	if pages, copies := e.calls.get("ListObjectsV2"), e.calls.get("CopyObject"); pages != 3 || copies != n {
		t.Fatalf("%d listing pages and %d copies, want 3 and %d", pages, copies, n)
	}
	if cp.counts.Copied != n {
		t.Fatalf("checkpoint counts %+v, want %d copied", cp.counts, n)
	}
}

// TestListingFailureStops: a listing refused (access denied) stops the
// pass with the error, naming ListObjectsV2; nothing is reported done.
func TestListingFailureStops(t *testing.T) {
	e := newEnv(t)
	const b = "reenc-list-denied"
	e.bucket(t, b, false, false)
	e.put(t, b, "k", e.old, []byte("x"), nil)
	e.sb.SetFaults([]faults.Rule{{Service: "s3", Operation: "ListObjectsV2", Code: "AccessDenied", Status: 403}}, false)
	res, err := s3objects.Run(context.Background(), e.s3, s3objects.Options{Bucket: b, TargetKeyARN: e.target})
	var oe *s3objects.ObjectError
	var ae smithy.APIError
	if !errors.As(err, &oe) || oe.Op != "ListObjectsV2" || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("err %v, want ListObjectsV2 failing with AccessDenied", err)
	}
	if res.Done() != 0 || e.calls.get("CopyObject") != 0 {
		t.Fatalf("reported %+v after %d copies; nothing was listed", res.Counts, e.calls.get("CopyObject"))
	}
}
