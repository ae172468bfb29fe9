package s3svc_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
)

func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// A lock object the way Terraform's S3 backend takes one: create with
// If-None-Match: *, update and release with If-Match on its ETag. Each
// refusal carries S3's status and code.
func TestConditionalLockProtocol(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := create(t, e.c, "locks", region); err != nil {
		t.Fatal(err)
	}
	put := func(body, ifMatch string, ifNone bool) (string, error) {
		in := &s3.PutObjectInput{Bucket: aws.String("locks"), Key: aws.String("k.lock"), Body: strings.NewReader(body)}
		if ifMatch != "" {
			in.IfMatch = aws.String(ifMatch)
		}
		if ifNone {
			in.IfNoneMatch = aws.String("*")
		}
		out, err := e.c.PutObject(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ETag), nil
	}
	// If-Match on a key with no object: 404 NoSuchKey.
	if _, err := put("a", `"0123"`, false); code(err) != "NoSuchKey" || status(err) != http.StatusNotFound {
		t.Fatalf("if-match on a missing key: %v", err)
	}
	first, err := put("holder A", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := put("holder B", "", true); code(err) != "PreconditionFailed" || status(err) != http.StatusPreconditionFailed {
		t.Fatalf("second create: %v", err)
	}
	beat, err := put("holder A beat", first, false)
	if err != nil || beat == first {
		t.Fatalf("heartbeat: %q %v", beat, err)
	}
	if _, err := put("holder A beat 2", first, false); code(err) != "PreconditionFailed" {
		t.Fatalf("update with a stale ETag: %v", err)
	}
	if got, _ := read(t, e.c, "locks", "k.lock"); got != "holder A beat" {
		t.Fatalf("refused writes changed the object: %q", got)
	}
	del := func(ifMatch string) error {
		in := &s3.DeleteObjectInput{Bucket: aws.String("locks"), Key: aws.String("k.lock")}
		if ifMatch != "" {
			in.IfMatch = aws.String(ifMatch)
		}
		_, err := e.c.DeleteObject(ctx, in)
		return err
	}
	if err := del(first); code(err) != "PreconditionFailed" || status(err) != http.StatusPreconditionFailed {
		t.Fatalf("delete with a stale ETag: %v", err)
	}
	if err := del(beat); err != nil {
		t.Fatalf("release: %v", err)
	}
	if err := del(beat); code(err) != "NoSuchKey" {
		t.Fatalf("conditional delete of a released lock: %v", err)
	}
	if err := del(""); err != nil {
		t.Fatalf("unconditional delete of a missing key is S3's 204: %v", err)
	}
	if _, err := put("holder B", "", true); err != nil {
		t.Fatalf("create after release: %v", err)
	}
	list, err := e.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("locks")})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("list after delete and re-create: %+v %v", list, err)
	}
}

// Headers S3 does not implement on writes: 501 NotImplemented.
func TestConditionalWriteRefusals(t *testing.T) {
	e := newEnv(t)
	if err := e.s3.Seed(s3svc.BucketSeed{Account: acct, Region: region, Name: "cw-bucket"}); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		method  string
		headers []string
		status  int
		code    string
	}{
		"if-none-match etag":          {"PUT", []string{"If-None-Match", `"abc"`}, 501, "<Code>NotImplemented</Code>"},
		"both headers":                {"PUT", []string{"If-None-Match", "*", "If-Match", `"abc"`}, 501, "<Code>NotImplemented</Code>"},
		"delete if-none-match":        {"DELETE", []string{"If-None-Match", "*"}, 501, "<Code>NotImplemented</Code>"},
		"if-match star missing key":   {"PUT", []string{"If-Match", "*"}, 404, "<Code>NoSuchKey</Code>"},
		"if-none-match star is a put": {"PUT", []string{"If-None-Match", "*"}, 200, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := signedS3(t, e, tc.method, "", "/cw-bucket/"+strings.ReplaceAll(name, " ", "-"), "x", tc.headers...)
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.code) {
				t.Fatalf("status %d body %s", rec.Code, rec.Body.String())
			}
		})
	}
}

// FuzzConditionalRequest sends writes and deletes with arbitrary
// If-Match / If-None-Match headers to an existing and a missing key: never
// a panic, and every failure is an S3 <Error> body with a code.
func FuzzConditionalRequest(f *testing.F) {
	f.Add("PUT", "/cf-bucket/k", "*", "")
	f.Add("PUT", "/cf-bucket/k", "", `"d41d8cd98f00b204e9800998ecf8427e"`)
	f.Add("DELETE", "/cf-bucket/k", "", "*")
	f.Add("DELETE", "/cf-bucket/missing", "", `"x"`)
	f.Add("PUT", "/cf-bucket/k", `"x"`, `"y"`)
	e := newEnv(f)
	if err := e.s3.Seed(s3svc.BucketSeed{Account: acct, Region: region, Name: "cf-bucket"}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target, ifNoneMatch, ifMatch string) {
		if !strings.HasPrefix(target, "/") {
			t.Skip()
		}
		if req := signedS3(t, e, "PUT", "", "/cf-bucket/k", "seed"); req != nil {
			e.srv.ServeHTTP(httptest.NewRecorder(), req)
		}
		req := signedS3(t, e, method, "", target, "body", "If-None-Match", ifNoneMatch, "If-Match", ifMatch)
		if req == nil {
			t.Skip()
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		if rec.Code >= 300 && req.Method != http.MethodHead && rec.Code != 301 && !strings.Contains(rec.Body.String(), "<Error><Code>") {
			t.Fatalf("%s %s: status %d body %q", method, target, rec.Code, rec.Body.String())
		}
	})
}
