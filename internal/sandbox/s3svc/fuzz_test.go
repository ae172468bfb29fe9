package s3svc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
)

func signedS3(tb testing.TB, e *env, method, host, target, body string, headers ...string) *http.Request {
	req, err := http.NewRequest(method, e.url+target, bytes.NewReader([]byte(body)))
	if err != nil {
		return nil
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	if host != "" {
		req.Host = host
	}
	cred, _ := e.srv.AddAccount(acct)
	sum := sha256.Sum256([]byte(body))
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.Secret}, req, hex.EncodeToString(sum[:]), "s3", region, time.Now()); err != nil {
		tb.Fatal(err)
	}
	return req
}

func TestVirtualHostedStyle(t *testing.T) {
	e := newEnv(t)
	if err := e.s3.Seed(s3svc.BucketSeed{Account: acct, Region: region, Name: "vhost-bucket",
		Encryption: &s3svc.Encryption{Algorithm: "aws:kms", KMSMasterKeyID: "alias/dev/s3", BucketKeyEnabled: true}}); err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"vhost-bucket.s3.eu-west-1.amazonaws.com", "vhost-bucket.localhost:4566"} {
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, signedS3(t, e, http.MethodGet, host, "/?encryption", ""))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<KMSMasterKeyID>alias/dev/s3</KMSMasterKeyID>") {
			t.Fatalf("%s: %d %s", host, rec.Code, rec.Body.String())
		}
	}
}

func TestThrottling(t *testing.T) {
	e := newEnv(t)
	qs := s3svc.Quotas()
	qs[0].PerSecond = 5 // documented 5,500/s, scaled so a test can exceed it
	e.srv.Faults.Register("s3", qs, s3svc.ThrottleError)
	e.srv.Faults.EnforceQuotas(true)
	slow := 0
	for range 20 {
		if _, err := e.c.ListBuckets(context.Background(), &s3.ListBucketsInput{}); code(err) == "SlowDown" {
			slow++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if slow < 10 {
		t.Fatalf("SlowDown %d of 20", slow)
	}
}

// FuzzS3Request sends arbitrary signed requests: never a panic; failures
// are S3 <Error> bodies (HEAD aside, which has none).
func FuzzS3Request(f *testing.F) {
	f.Add("GET", "", "/?max-buckets=5&continuation-token=zz", "")
	f.Add("PUT", "", "/new-bucket", "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>")
	f.Add("PUT", "b.localhost", "/?encryption", "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")
	f.Add("HEAD", "", "/new-bucket", "")
	f.Add("PUT", "", "/new-bucket/dir/obj.yaml", "body")
	f.Add("GET", "new-bucket.localhost", "/dir/obj.yaml?x-id=GetObject", "")
	f.Add("DELETE", "", "/new-bucket/obj%zz", "")
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, method, host, target, body string) {
		if !strings.HasPrefix(target, "/") {
			t.Skip()
		}
		req := signedS3(t, e, method, host, target, body)
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

// FuzzS3ObjectRequest sends object writes, copies and listings with
// arbitrary SSE, copy-source, tagging and directive headers: never a panic,
// failures are S3 <Error> bodies with a code.
func FuzzS3ObjectRequest(f *testing.F) {
	f.Add("PUT", "/fz-bucket/k", "", "aws:kms", "alias/aws/s3", "a=1&b=2", "", "body")
	f.Add("PUT", "/fz-bucket/k2", "fz-bucket/k", "aws:kms", "alias/none", "", "REPLACE", "")
	f.Add("PUT", "/fz-bucket/k", "/fz-bucket/k?versionId=x", "AES256", "", "", "COPY", "")
	f.Add("PUT", "/fz-bucket/k", "fz-bucket/k", "", "", "a=%zz", "BOGUS", "")
	f.Add("GET", "/fz-bucket?list-type=2&max-keys=1&delimiter=/&prefix=k", "", "", "", "", "", "")
	f.Add("GET", "/fz-bucket?list-type=2&continuation-token=dms&encoding-type=url", "", "", "", "", "", "")
	f.Add("GET", "/fz-bucket/k?tagging", "", "", "", "", "", "")
	f.Add("POST", "/fz-bucket/big?uploads", "", "aws:kms", "alias/aws/s3", "a=1", "", "")
	f.Add("PUT", "/fz-bucket/big?partNumber=1&uploadId=nope", "", "", "", "", "", "part")
	f.Add("PUT", "/fz-bucket/big?partNumber=0&uploadId=nope", "fz-bucket/k", "", "", "", "", "")
	f.Add("POST", "/fz-bucket/big?uploadId=nope", "", "", "", "", "", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>")
	f.Add("DELETE", "/fz-bucket/big?uploadId=nope", "", "", "", "", "", "")
	f.Add("PUT", "/fz-bucket?versioning", "", "", "", "", "", "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")
	f.Add("PUT", "/fz-bucket?object-lock", "", "", "", "", "", "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>")
	f.Add("GET", "/fz-bucket?versions&max-keys=1&key-marker=k&version-id-marker=null", "", "", "", "", "", "")
	f.Add("PUT", "/fz-bucket/k?retention&versionId=null", "", "", "", "", "", "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>")
	f.Add("PUT", "/fz-bucket/k?legal-hold", "", "", "", "", "", "<LegalHold><Status>ON</Status></LegalHold>")
	f.Add("GET", "/fz-bucket/k?versionId=null", "", "", "", "", "", "")
	f.Add("PUT", "/fz-bucket/k2", "fz-bucket/k?versionId=null", "aws:kms", "", "", "", "")
	e := newEnv(f)
	if err := e.s3.Seed(s3svc.BucketSeed{Account: acct, Region: region, Name: "fz-bucket"}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target, copySource, sse, keyID, tagging, directive, body string) {
		if !strings.HasPrefix(target, "/") {
			t.Skip()
		}
		req := signedS3(t, e, method, "", target, body, "x-amz-copy-source", copySource, "x-amz-server-side-encryption", sse,
			"x-amz-server-side-encryption-aws-kms-key-id", keyID, "x-amz-tagging", tagging, "x-amz-metadata-directive", directive)
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

func FuzzParseRetention(f *testing.F) {
	for _, s := range []string{
		"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>",
		"<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2000-01-01T00:00:00Z</RetainUntilDate></Retention>",
		"<Retention><Mode>x</Mode></Retention>", "<Retention>", "",
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := s3svc.ParseRetention(body, now)
		if err == nil && (r == nil || !r.RetainUntil.After(now)) {
			t.Fatalf("accepted %q as %+v", body, r)
		}
	})
}
