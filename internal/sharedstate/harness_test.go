package sharedstate_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/sandbox"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
	"github.com/byok-dev/byok/internal/sharedstate"
)

const (
	security = "111111111111"
	region   = "eu-west-1"
	bucket   = "byok-state-111111111111"
	// another account's bucket in another Region (not the caller's)
	otherAccount = "222222222222"
	otherRegion  = "eu-central-1"
	otherBucket  = "byok-state-222222222222"
	keyA         = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)} }
func (c *clock) store(cl *s3.Client) *sharedstate.Store {
	return &sharedstate.Store{S3: cl, Location: sharedstate.Location{Bucket: bucket, Prefix: "prod"}, Now: c.now}
}

// newS3 serves the sandbox's S3 with the state bucket in the Security
// account and returns a real SDK client for it.
func newS3(t testing.TB) *s3.Client {
	t.Helper()
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := s3svc.New(s.Env)
	if err != nil {
		t.Fatal(err)
	}
	s.Register(v)
	if err := v.Seed(s3svc.BucketSeed{Account: security, Region: region, Name: bucket}); err != nil {
		t.Fatal(err)
	}
	if err := v.Seed(s3svc.BucketSeed{Account: otherAccount, Region: otherRegion, Name: otherBucket}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	cred, err := s.AddAccount(security)
	if err != nil {
		t.Fatal(err)
	}
	return s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(ts.URL), UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.Secret, "")})
}

var bg = context.Background()
