package s3svc_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/conformance/backend"
)

// kmsEnv is a backend (package conformance/backend) with a Security
// account owning keys that the dev (consumer) account may use, as in the
// estate: the in-process sandbox always, AWS when enabled.
type kmsEnv struct {
	be             *backend.Backend
	dev            *s3.Client
	kms            *kms.Client
	oldK, new      string
	secAcct, devAc string
}

// eachKMSEnv runs body on every backend with two fresh keys.
func eachKMSEnv(t *testing.T, body func(t *testing.T, e *kmsEnv)) {
	t.Helper()
	backend.Each(t, func(t *testing.T, be *backend.Backend) {
		e := &kmsEnv{be: be, kms: be.KMS(t, be.Security), secAcct: be.Security, devAc: be.Consumer}
		e.dev = awsx.S3(be.Config(t, be.Consumer))
		e.oldK, e.new = e.key(t), e.key(t)
		body(t, e)
	})
}

// key creates a Security-account key whose policy lets the dev account use it.
func (e *kmsEnv) key(t *testing.T) string {
	t.Helper()
	policy := `{"Version":"2012-10-17","Statement":[
 {"Sid":"owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.secAcct + `:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"dev","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.devAc + `:root"},
  "Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey","kms:DescribeKey","kms:ReEncrypt*"],"Resource":"*"}]}`
	out, err := e.kms.CreateKey(context.Background(), &kms.CreateKeyInput{Policy: aws.String(policy)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// bucket creates a bucket of the dev account named after kind and unique
// to the run, SSE-KMS under oldK by default; it is emptied and deleted
// when the test ends.
func (e *kmsEnv) bucket(t *testing.T, kind string, bucketKey bool) string {
	t.Helper()
	name := e.be.Unique(kind)
	e.be.Bucket(t, e.devAc, name)
	_, err := e.dev.PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String(name),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(e.oldK)},
			BucketKeyEnabled:                   aws.Bool(bucketKey)}}}})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func read(t *testing.T, c *s3.Client, bucket, key string) (string, error) {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

// Objects are stored encrypted under the bucket's default KMS key; a read
// decrypts through KMS as the reader, so disabling the key makes them
// unreadable with S3's KMS.DisabledException.
func TestSSEKMSDefaultKey(t *testing.T) {
	eachKMSEnv(t, func(t *testing.T, e *kmsEnv) {
		ctx := context.Background()
		bkt := e.bucket(t, "enc-bucket", false)
		putOut, err := e.dev.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("a/b.txt"), Body: strings.NewReader("secret payload")})
		if err != nil || putOut.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(putOut.SSEKMSKeyId) != e.oldK {
			t.Fatalf("put: %+v %v", putOut, err)
		}
		head, err := e.dev.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bkt), Key: aws.String("a/b.txt")})
		if err != nil || aws.ToString(head.SSEKMSKeyId) != e.oldK || aws.ToInt64(head.ContentLength) != int64(len("secret payload")) {
			t.Fatalf("head: %+v %v", head, err)
		}
		if got, err := read(t, e.dev, bkt, "a/b.txt"); err != nil || got != "secret payload" {
			t.Fatalf("get = %q, %v", got, err)
		}
		if _, err := e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(e.oldK)}); err != nil {
			t.Fatal(err)
		}
		if _, err := read(t, e.dev, bkt, "a/b.txt"); code(err) != "KMS.DisabledException" || httpStatus(err) != 400 {
			t.Fatalf("get with disabled key: %v", err)
		}
		if _, err := e.dev.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("c"), Body: strings.NewReader("x")}); code(err) != "KMS.DisabledException" {
			t.Fatalf("put with disabled default key: %v", err)
		}
		if _, err := e.dev.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bkt), Key: aws.String("a/b.txt")}); err != nil {
			t.Fatalf("head needs no KMS call: %v", err)
		}
	})
}

// A read on a principal's behalf is a KMS Decrypt event with
// userIdentity.invokedBy s3.amazonaws.com and the object ARN as encryption
// context, visible in the reader's and the key owner's accounts.
func TestSSEKMSTrailBothAccounts(t *testing.T) {
	eachKMSEnv(t, func(t *testing.T, e *kmsEnv) {
		ctx := context.Background()
		bkt := e.bucket(t, "trail-bucket", false)
		if _, err := e.dev.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
			t.Fatal(err)
		}
		if _, err := read(t, e.dev, bkt, "k"); err != nil {
			t.Fatal(err)
		}
		// CloudTrail delivers events minutes later on AWS, and a test
		// account's trail holds other reads.
		e.be.RequireSandbox(t, "LookupEvents must show exactly this read, at once")
		for _, account := range []string{e.devAc, e.secAcct} {
			ct := cloudtrail.NewFromConfig(e.be.Config(t, account))
			out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
				{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("Decrypt")}}})
			if err != nil || len(out.Events) != 1 {
				t.Fatalf("%s: %d events, %v", account, len(out.Events), err)
			}
			var rec struct {
				SourceIPAddress string `json:"sourceIPAddress"`
				UserIdentity    struct {
					InvokedBy string `json:"invokedBy"`
					AccountID string `json:"accountId"`
				} `json:"userIdentity"`
				RequestParameters struct {
					EncryptionContext map[string]string `json:"encryptionContext"`
				} `json:"requestParameters"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(out.Events[0].CloudTrailEvent)), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.UserIdentity.InvokedBy != "s3.amazonaws.com" || rec.SourceIPAddress != "s3.amazonaws.com" || rec.UserIdentity.AccountID != e.devAc ||
				rec.RequestParameters.EncryptionContext["aws:s3:arn"] != "arn:aws:s3:::"+bkt+"/k" {
				t.Fatalf("%s: record %+v", account, rec)
			}
		}
	})
}

// The aws variant of the converted tests, against `byok sandbox` run as a
// separate process and reached only through its endpoint and credentials.
func TestAWSVariantOnSandboxProcess(t *testing.T) {
	backend.RunOnProcess(t, "TestSSEKMSDefaultKey", "TestSSEKMSTrailBothAccounts", "TestCopyObjectReencrypt", "TestCopyObjectErrors")
}
