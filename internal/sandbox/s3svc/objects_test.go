package s3svc_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/byok-dev/byok/internal/sandbox"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
)

func put(t *testing.T, c *s3.Client, bucket, key, body string) string {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: strings.NewReader(body), ContentType: aws.String("application/yaml")})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return aws.ToString(out.ETag)
}

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// Objects round-trip through the real SDK (its default checksummed,
// possibly aws-chunked upload), with ETags that change with the content
// and If-Match honoured.
func TestObjects(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := create(t, e.c, "estate-bucket", region); err != nil {
		t.Fatal(err)
	}
	etag1 := put(t, e.c, "estate-bucket", "conf/byok.yaml", "security_account: \"111111111111\"\n")
	head, err := e.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("estate-bucket"), Key: aws.String("conf/byok.yaml")})
	if err != nil || aws.ToString(head.ETag) != etag1 || aws.ToInt64(head.ContentLength) != int64(len("security_account: \"111111111111\"\n")) || aws.ToString(head.ContentType) != "application/yaml" {
		t.Fatalf("head = %+v, %v", head, err)
	}
	got, err := e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("estate-bucket"), Key: aws.String("conf/byok.yaml"),
		IfMatch: head.ETag, ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(got.ChecksumCRC32) == "" {
		t.Fatalf("get = %v, checksum %q", err, aws.ToString(got.ChecksumCRC32))
	}
	body, err := io.ReadAll(got.Body) // the SDK checks the CRC-32 as it reads
	got.Body.Close()
	if err != nil || string(body) != "security_account: \"111111111111\"\n" {
		t.Fatalf("body = %q, %v", body, err)
	}
	etag2 := put(t, e.c, "estate-bucket", "conf/byok.yaml", "changed")
	if etag2 == etag1 {
		t.Fatal("ETag did not change with the content")
	}
	_, err = e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("estate-bucket"), Key: aws.String("conf/byok.yaml"), IfMatch: aws.String(etag1)})
	if code(err) != "PreconditionFailed" {
		t.Fatalf("stale If-Match: %v", err)
	}
	errs := map[string]error{}
	_, errs["NoSuchKey"] = e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("estate-bucket"), Key: aws.String("missing")})
	_, errs["NoSuchBucket"] = e.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-bucket"), Key: aws.String("k")})
	_, errs["AccessDenied"] = e.alt.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("estate-bucket"), Key: aws.String("conf/byok.yaml")})
	_, errs["BucketNotEmpty"] = e.c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("estate-bucket")})
	for want, err := range errs {
		if code(err) != want {
			t.Errorf("want %s, got %v", want, err)
		}
	}
	_, err = e.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("estate-bucket"), Key: aws.String("missing")})
	var nf *types.NotFound
	if !errors.As(err, &nf) || httpStatus(err) != 404 {
		t.Fatalf("head missing: %v", err)
	}
}

// Objects survive a restart on the same state file.
func TestObjectsPersist(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	path := t.TempDir() + "/state.log"
	open := func() (*sandbox.Server, *s3svc.Service) {
		s, err := sandbox.New(sandbox.Options{StatePath: path})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s3svc.New(s.Env)
		if err != nil {
			t.Fatal(err)
		}
		return s, v
	}
	s, v := open()
	if err := v.Seed(s3svc.BucketSeed{Account: acct, Region: region, Name: "kept-bucket"}); err != nil {
		t.Fatal(err)
	}
	s.Register(v)
	ts := httptestServer(t, s)
	etag := put(t, client(t, s, ts, acct, region), "kept-bucket", "k", "payload")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, v2 := open()
	defer s2.Close()
	s2.Register(v2)
	out, err := client(t, s2, httptestServer(t, s2), acct, region).GetObject(context.Background(),
		&s3.GetObjectInput{Bucket: aws.String("kept-bucket"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_, _ = b.ReadFrom(out.Body)
	out.Body.Close()
	if b.String() != "payload" || aws.ToString(out.ETag) != etag {
		t.Fatalf("after restart: %q %s, want payload %s", b.String(), aws.ToString(out.ETag), etag)
	}
}

func httptestServer(t *testing.T, s *sandbox.Server) string {
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts.URL
}
