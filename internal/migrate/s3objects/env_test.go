package s3objects_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/migrate/s3objects"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

const account = "333333333333"

// env is a sandbox account with two KMS keys (old, target) and an S3
// client that counts its calls per operation and object key.
type env struct {
	sb          *sandboxrun.Sandbox
	s3          *s3.Client
	kms         *kms.Client
	old, target string
	calls       *calls
}

type calls struct {
	mu sync.Mutex
	n  map[string]int // "Op key" and "Op"
}

func (c *calls) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

func newEnv(t testing.TB) *env {
	t.Helper()
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(account, "prod"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := sb.Config(ctx, account)
	e := &env{sb: sb, kms: kms.NewFromConfig(cfg), calls: &calls{n: map[string]int{}}}
	e.s3 = awsx.S3(e.count(cfg))
	e.old, e.target = e.key(t, "old"), e.key(t, "target")
	return e
}

// count adds a middleware noting every S3 call and the key it names.
func (e *env) count(cfg aws.Config) aws.Config {
	cfg = cfg.Copy()
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context,
			in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			key := ""
			switch v := in.Parameters.(type) {
			case *s3.CopyObjectInput:
				key = aws.ToString(v.Key)
			case *s3.UploadPartCopyInput:
				key = aws.ToString(v.Key)
			}
			e.calls.mu.Lock()
			e.calls.n[op]++
			e.calls.n[op+" "+key]++
			e.calls.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	})
	return cfg
}

func (e *env) key(t testing.TB, desc string) string {
	t.Helper()
	out, err := e.kms.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String(desc)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

func (e *env) bucket(t testing.TB, name string, versioned, lock bool) {
	t.Helper()
	ctx := context.Background()
	_, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(e.sb.Region())}})
	if err == nil && versioned {
		_, err = e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	}
	if err == nil && lock {
		_, err = e.s3.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(name),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// put writes an object under keyARN with the given input fields.
func (e *env) put(t testing.TB, bucket, key, keyARN string, body []byte, mod func(*s3.PutObjectInput)) {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyARN)}
	if mod != nil {
		mod(in)
	}
	if _, err := e.s3.PutObject(context.Background(), in); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// onKey checks that key's current version reports keyARN and decrypts to body.
func (e *env) onKey(t testing.TB, bucket, key, keyARN string, body []byte) *s3.GetObjectOutput {
	t.Helper()
	out, err := e.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	got, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SSEKMSKeyId) != keyARN || !bytes.Equal(got, body) {
		t.Fatalf("%s: key %s (want %s), body equal %v", key, aws.ToString(out.SSEKMSKeyId), keyARN, bytes.Equal(got, body))
	}
	return out
}

// memCheckpoint is a Checkpoint in memory that records every save.
type memCheckpoint struct {
	mu     sync.Mutex
	after  string
	counts s3objects.Counts
	saves  []string
	onSave func(after string)
}

func (m *memCheckpoint) Load(context.Context) (string, s3objects.Counts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.after, m.counts, nil
}

func (m *memCheckpoint) Save(_ context.Context, after string, c s3objects.Counts) error {
	m.mu.Lock()
	m.after, m.counts = after, c
	m.saves = append(m.saves, after)
	f := m.onSave
	m.mu.Unlock()
	if f != nil {
		f(after)
	}
	return nil
}

func objKey(i int) string { return fmt.Sprintf("obj/%05d", i) }
