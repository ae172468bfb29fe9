package s3svc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/s3svc"
)

// TestMultipartReencrypt re-encrypts an object in place the way byok does
// above 5 GB: a multipart upload onto the same key under the new key,
// parts copied from the object by byte range (decrypted with the old key),
// completed into one object on the new key that still reads after the old
// key is disabled.
func TestMultipartReencrypt(t *testing.T) { eachKMSEnv(t, testMultipartReencrypt) }

func testMultipartReencrypt(t *testing.T, e *kmsEnv) {
	ctx := context.Background()
	big := e.bucket(t, "big", true)
	body := bytes.Repeat([]byte("0123456789abcdef"), (6<<20)/16) // 6 MiB: one 5 MiB part, then the rest
	if _, err := e.dev.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(big), Key: aws.String("blob"), Body: bytes.NewReader(body),
		Metadata: map[string]string{"owner": "team-a"}}); err != nil {
		t.Fatal(err)
	}
	up, err := e.dev.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(big), Key: aws.String("blob"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(e.new), Metadata: map[string]string{"owner": "team-a"}})
	if err != nil || aws.ToString(up.SSEKMSKeyId) != e.new {
		t.Fatalf("create upload: %+v %v", up, err)
	}
	var parts []types.CompletedPart
	for i, rng := range []string{"bytes=0-5242879", "bytes=5242880-6291455"} {
		out, err := e.dev.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(big), Key: aws.String("blob"),
			UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String(big + "/blob"), CopySourceRange: aws.String(rng)})
		if err != nil || aws.ToString(out.SSEKMSKeyId) != e.new {
			t.Fatalf("upload part copy %d: %+v %v", i+1, out, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.CopyPartResult.ETag})
	}
	done, err := e.dev.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(big), Key: aws.String("blob"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil || !strings.HasSuffix(strings.Trim(aws.ToString(done.ETag), `"`), "-2") {
		t.Fatalf("complete: %+v %v", done, err)
	}
	if _, err := e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(e.oldK)}); err != nil {
		t.Fatal(err)
	}
	got, err := read(t, e.dev, big, "blob")
	if err != nil || got != string(body) {
		t.Fatalf("read after re-encryption: %d bytes, %v; want the original %d", len(got), err, len(body))
	}
	head, err := e.dev.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(big), Key: aws.String("blob")})
	if err != nil || aws.ToString(head.SSEKMSKeyId) != e.new || head.Metadata["owner"] != "team-a" {
		t.Fatalf("head: %+v %v", head, err)
	}
}

// TestMultipartErrors: each refusal with S3's code; an aborted upload is gone.
func TestMultipartErrors(t *testing.T) { eachKMSEnv(t, testMultipartErrors) }

func testMultipartErrors(t *testing.T, e *kmsEnv) {
	ctx := context.Background()
	mpu := e.bucket(t, "mpu", false)
	if _, err := e.dev.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(mpu), Key: aws.String("src"), Body: strings.NewReader("0123456789")}); err != nil {
		t.Fatal(err)
	}
	up, err := e.dev.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(mpu), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	small := func(n int32) *string {
		out, err := e.dev.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(mpu), Key: aws.String("k"), UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: strings.NewReader(fmt.Sprint("tiny-", n))})
		if err != nil {
			t.Fatal(err)
		}
		return out.ETag
	}
	e1, e2 := small(1), small(2)
	complete := func(parts ...types.CompletedPart) error {
		_, err := e.dev.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(mpu), Key: aws.String("k"),
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		return err
	}
	p := func(n int32, etag *string) types.CompletedPart {
		return types.CompletedPart{PartNumber: aws.Int32(n), ETag: etag}
	}
	_, rangeErr := e.dev.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(mpu), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(3), CopySource: aws.String(mpu + "/src"), CopySourceRange: aws.String("bytes=5-99")})
	_, badKey := e.dev.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(mpu), Key: aws.String("x"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("alias/none")})
	cases := map[string]struct {
		err  error
		want string
	}{
		"parts out of order":   {complete(p(2, e2), p(1, e1)), "InvalidPartOrder"},
		"wrong part ETag":      {complete(p(1, e2), p(2, e2)), "InvalidPart"},
		"first part too small": {complete(p(1, e1), p(2, e2)), "EntityTooSmall"},
		"range beyond object":  {rangeErr, "InvalidArgument"},
		"unusable KMS key":     {badKey, "KMS.NotFoundException"},
	}
	for name, tc := range cases {
		if got := code(tc.err); got != tc.want {
			t.Errorf("%s: %v, want %s", name, tc.err, tc.want)
		}
	}
	if err := complete(p(1, e1)); err != nil {
		t.Fatalf("one small part is a valid last part: %v", err)
	}
	up2, _ := e.dev.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(mpu), Key: aws.String("k2")})
	if _, err := e.dev.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(mpu), Key: aws.String("k2"), UploadId: up2.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = e.dev.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(mpu), Key: aws.String("k2"), UploadId: up2.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	if code(err) != "NoSuchUpload" {
		t.Fatalf("part of an aborted upload: %v", err)
	}
}

func TestParseCopyRange(t *testing.T) {
	tests := map[string]struct {
		v           string
		first, last int64
		bad         bool
	}{
		"whole":        {"", 0, 9, false},
		"range":        {"bytes=2-5", 2, 5, false},
		"last byte":    {"bytes=9-9", 9, 9, false},
		"beyond":       {"bytes=0-10", 0, 0, true},
		"reversed":     {"bytes=5-2", 0, 0, true},
		"no unit":      {"2-5", 0, 0, true},
		"open ended":   {"bytes=2-", 0, 0, true},
		"suffix range": {"bytes=-3", 0, 0, true},
	}
	for name, tc := range tests {
		f, l, err := s3svc.ParseCopyRange(tc.v, 10)
		var ae *awsproto.Error
		if (err != nil) != tc.bad || (err != nil && (!errors.As(error(err), &ae) || ae.Code != "InvalidArgument")) || (!tc.bad && (f != tc.first || l != tc.last)) {
			t.Errorf("%s: ParseCopyRange(%q) = %d, %d, %v", name, tc.v, f, l, err)
		}
	}
}

func FuzzParseCopyRange(f *testing.F) {
	for _, s := range []string{"", "bytes=0-0", "bytes=1-9", "bytes=-1", "bytes=9-1", "bytes=a-b", "bytes=0-99999999999999999999"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, v string, size int64) {
		if size < 1 {
			return
		}
		first, last, err := s3svc.ParseCopyRange(v, size)
		if err == nil && (first < 0 || last < first || last >= size) {
			t.Fatalf("ParseCopyRange(%q, %d) = %d..%d", v, size, first, last)
		}
	})
}
