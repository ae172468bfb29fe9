package s3svc_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/sandbox"
	kmssvc "github.com/byok-dev/byok/internal/sandbox/kmssvc"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
)

const (
	acct   = "222222222222"
	other  = "333333333333"
	region = "eu-west-1"
	keyARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

type env struct {
	srv   *sandbox.Server
	s3    *s3svc.Service
	url   string
	c     *s3.Client
	alt   *s3.Client
	other *s3.Client // same account, us-east-1
}

func newEnv(t testing.TB) *env {
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
	k, err := kmssvc.New(s.Env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	s.Register(k)
	v.UseKMS(k)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &env{srv: s, s3: v, url: ts.URL, c: client(t, s, ts.URL, acct, region),
		alt: client(t, s, ts.URL, other, region), other: client(t, s, ts.URL, acct, "us-east-1")}
}

func client(t testing.TB, s *sandbox.Server, url, account, reg string) *s3.Client {
	cred, err := s.AddAccount(account)
	if err != nil {
		t.Fatal(err)
	}
	return s3.New(s3.Options{Region: reg, BaseEndpoint: aws.String(url), UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.Secret, "")})
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func create(t *testing.T, c *s3.Client, name, reg string) error {
	t.Helper()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if reg != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(reg)}
	}
	_, err := c.CreateBucket(context.Background(), in)
	return err
}

func TestBucketLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := create(t, e.c, "orders-data", region); err != nil {
		t.Fatal(err)
	}
	errs := map[string]error{
		"BucketAlreadyOwnedByYou":            create(t, e.c, "orders-data", region),
		"BucketAlreadyExists":                create(t, e.alt, "orders-data", region),
		"InvalidBucketName":                  create(t, e.c, "Bad_Name", region),
		"IllegalLocationConstraintException": create(t, e.c, "other-place", "eu-central-1"),
	}
	_, errs["IllegalLocationConstraintException"] = e.c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("no-constraint")})
	_, errs["NotFound"] = e.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing-bucket")})
	_, errs["Forbidden"] = e.alt.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("orders-data")})
	_, errs["AccessDenied"] = e.alt.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("orders-data")})
	_, errs["NoSuchBucket"] = e.c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("missing-bucket")})
	_, errs["AuthorizationHeaderMalformed"] = e.other.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("orders-data")})
	for want, err := range errs {
		if code(err) != want {
			t.Errorf("want %s, got %v", want, err)
		}
	}
	if _, err := e.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("orders-data")}); err != nil {
		t.Fatal(err)
	}
	loc, err := e.other.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("orders-data")})
	if err != nil || loc.LocationConstraint != types.BucketLocationConstraint(region) {
		t.Fatalf("location = %v, %v", loc, err)
	}
	if err := create(t, e.other, "virginia-bucket", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	loc, err = e.other.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("virginia-bucket")})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("us-east-1 location = %q, %v; want empty", loc.LocationConstraint, err)
	}
	if _, err := e.c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("orders-data")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("orders-data")}); code(err) != "NotFound" {
		t.Fatalf("after delete: %v", err)
	}
}

func TestBucketEncryption(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := create(t, e.c, "enc-bucket", region); err != nil {
		t.Fatal(err)
	}
	get := func() (types.ServerSideEncryptionByDefault, bool, error) {
		out, err := e.c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("enc-bucket")})
		if err != nil {
			return types.ServerSideEncryptionByDefault{}, false, err
		}
		r := out.ServerSideEncryptionConfiguration.Rules[0]
		return *r.ApplyServerSideEncryptionByDefault, aws.ToBool(r.BucketKeyEnabled), nil
	}
	d, _, err := get()
	if err != nil || d.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("new bucket default = %+v, %v; want AES256", d, err)
	}
	refs := []string{"1234abcd-12ab-34cd-56ef-1234567890ab", keyARN, "alias/dev/s3", "arn:aws:kms:eu-west-1:111111111111:alias/dev/s3"}
	for _, ref := range refs {
		for _, alg := range []types.ServerSideEncryption{types.ServerSideEncryptionAwsKms, types.ServerSideEncryptionAwsKmsDsse} {
			_, err := e.c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("enc-bucket"),
				ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
					ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg, KMSMasterKeyID: aws.String(ref)},
					BucketKeyEnabled:                   aws.Bool(true)}}}})
			if err != nil {
				t.Fatalf("put %s %s: %v", alg, ref, err)
			}
			d, bk, err := get()
			if err != nil || aws.ToString(d.KMSMasterKeyID) != ref || d.SSEAlgorithm != alg || !bk {
				t.Fatalf("stored %+v bucketKey=%v, want %s %s verbatim", d, bk, alg, ref)
			}
		}
	}
	_, err = e.c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("enc-bucket"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256, KMSMasterKeyID: aws.String(keyARN)}}}}})
	if code(err) != "InvalidArgument" {
		t.Fatalf("AES256 with a key: %v", err)
	}
	if _, err := e.c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("enc-bucket")}); err != nil {
		t.Fatal(err)
	}
	if d, _, err := get(); err != nil || d.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("after delete = %+v, %v; want AES256 (S3's default since 2023)", d, err)
	}
	if err := e.s3.Seed(s3svc.BucketSeed{Account: acct, Region: region, Name: "legacy-bucket"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("legacy-bucket")})
	if code(err) != "ServerSideEncryptionConfigurationNotFoundError" {
		t.Fatalf("legacy bucket: %v", err)
	}
}

func TestListBucketsPagination(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.s3.Bulk(s3svc.BulkRequest{Account: acct, Region: region, Count: 25, Prefix: "acct2-bench"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s3.Bulk(s3svc.BulkRequest{Account: acct, Region: "us-east-1", Count: 5, Prefix: "acct2-east"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s3.Bulk(s3svc.BulkRequest{Account: other, Region: region, Count: 3, Prefix: "acct3"}); err != nil {
		t.Fatal(err)
	}
	p := s3.NewListBucketsPaginator(e.c, &s3.ListBucketsInput{MaxBuckets: aws.Int32(10)})
	pages, regions := 0, map[string]int{}
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, b := range out.Buckets {
			regions[aws.ToString(b.BucketRegion)]++
		}
	}
	if pages != 3 || regions[region] != 25 || regions["us-east-1"] != 5 {
		t.Fatalf("pages=%d regions=%v; want 3 pages, 25 eu-west-1 + 5 us-east-1", pages, regions)
	}
	out, err := e.c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("us-east-1")})
	if err != nil || len(out.Buckets) != 5 || out.ContinuationToken != nil {
		t.Fatalf("region filter: %v, %v", out, err)
	}
	for _, bad := range []int32{0, 10001} {
		if _, err := e.c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(bad)}); code(err) != "InvalidArgument" {
			t.Errorf("max-buckets %d: %v", bad, err)
		}
	}
}
