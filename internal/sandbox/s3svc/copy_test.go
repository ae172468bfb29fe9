package s3svc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Re-encryption in place: CopyObject onto itself with the new key keeps
// content type, metadata and tags (COPY directives) and the storage class
// the request names; the object then reports and needs only the new key.
func TestCopyObjectReencrypt(t *testing.T) {
	eachKMSEnv(t, func(t *testing.T, e *kmsEnv) {
		ctx := context.Background()
		bkt := e.bucket(t, "mig-bucket", true)
		_, err := e.dev.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("doc"), Body: strings.NewReader("body"),
			ContentType: aws.String("text/plain"), Metadata: map[string]string{"owner": "team-a"}, Tagging: aws.String("env=prod&class=pii"),
			StorageClass: types.StorageClassStandardIa})
		if err != nil {
			t.Fatal(err)
		}
		head, err := e.dev.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bkt), Key: aws.String("doc")})
		if err != nil || !aws.ToBool(head.BucketKeyEnabled) {
			t.Fatalf("head before: %+v %v", head, err)
		}
		out, err := e.dev.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bkt), Key: aws.String("doc"), CopySource: aws.String(bkt + "/doc"),
			CopySourceIfMatch: head.ETag, ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(e.new),
			BucketKeyEnabled: aws.Bool(true), StorageClass: head.StorageClass})
		if err != nil || aws.ToString(out.SSEKMSKeyId) != e.new || out.CopyObjectResult == nil || aws.ToString(out.CopyObjectResult.ETag) == "" {
			t.Fatalf("copy: %+v %v", out, err)
		}
		after, err := e.dev.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bkt), Key: aws.String("doc")})
		if err != nil || aws.ToString(after.SSEKMSKeyId) != e.new || aws.ToString(after.ContentType) != "text/plain" ||
			after.Metadata["owner"] != "team-a" || after.StorageClass != types.StorageClassStandardIa || aws.ToInt32(after.TagCount) != 2 {
			t.Fatalf("head after: %+v %v", after, err)
		}
		tags, err := e.dev.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bkt), Key: aws.String("doc")})
		if err != nil || len(tags.TagSet) != 2 || aws.ToString(tags.TagSet[0].Key) != "class" || aws.ToString(tags.TagSet[1].Value) != "prod" {
			t.Fatalf("tags: %+v %v", tags, err)
		}
		if _, err := e.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(e.oldK)}); err != nil {
			t.Fatal(err)
		}
		if got, err := read(t, e.dev, bkt, "doc"); err != nil || got != "body" {
			t.Fatalf("read on the new key after the old one is disabled = %q, %v", got, err)
		}
		// A stale If-Match (the object changed since it was listed) is refused.
		_, err = e.dev.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bkt), Key: aws.String("doc"), CopySource: aws.String(bkt + "/doc"),
			CopySourceIfMatch: head.ETag, ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(e.new)})
		if code(err) != "PreconditionFailed" {
			t.Fatalf("stale copy-source-if-match: %v", err)
		}
	})
}

// CopyObject's refusals, each with S3's code.
func TestCopyObjectErrors(t *testing.T) {
	eachKMSEnv(t, func(t *testing.T, e *kmsEnv) {
		ctx := context.Background()
		bkt := e.bucket(t, "copy-bucket", false)
		if _, err := e.dev.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("k"), Body: strings.NewReader("v"),
			Metadata: map[string]string{"a": "1"}}); err != nil {
			t.Fatal(err)
		}
		in := func(mod func(*s3.CopyObjectInput)) *s3.CopyObjectInput {
			v := &s3.CopyObjectInput{Bucket: aws.String(bkt), Key: aws.String("k"), CopySource: aws.String(bkt + "/k")}
			mod(v)
			return v
		}
		cases := map[string]struct {
			in   *s3.CopyObjectInput
			want string
		}{
			"onto itself unchanged": {in(func(*s3.CopyObjectInput) {}), "InvalidRequest"},
			"missing source":        {in(func(v *s3.CopyObjectInput) { v.CopySource = aws.String(bkt + "/none"); v.Key = aws.String("n") }), "NoSuchKey"},
			"bad source":            {in(func(v *s3.CopyObjectInput) { v.CopySource = aws.String("nokey") }), "InvalidArgument"},
			"key without kms": {in(func(v *s3.CopyObjectInput) {
				v.ServerSideEncryption = types.ServerSideEncryptionAes256
				v.SSEKMSKeyId = aws.String(e.new)
			}), "InvalidArgument"},
			"unknown key": {in(func(v *s3.CopyObjectInput) {
				v.ServerSideEncryption = types.ServerSideEncryptionAwsKms
				v.SSEKMSKeyId = aws.String("alias/none")
			}), "KMS.NotFoundException"},
			"bad storage class": {in(func(v *s3.CopyObjectInput) { v.StorageClass = "COLD" }), "InvalidStorageClass"},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				if _, err := e.dev.CopyObject(ctx, tc.in); code(err) != tc.want {
					t.Fatalf("want %s, got %v", tc.want, err)
				}
			})
		}
		// REPLACE drops the source's metadata; a copy to a new key on SSE-S3
		// reports AES256.
		if _, err := e.dev.CopyObject(ctx, in(func(v *s3.CopyObjectInput) {
			v.Key, v.MetadataDirective, v.Metadata, v.ServerSideEncryption = aws.String("k2"), types.MetadataDirectiveReplace, map[string]string{"b": "2"}, types.ServerSideEncryptionAes256
		})); err != nil {
			t.Fatal(err)
		}
		h, err := e.dev.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bkt), Key: aws.String("k2")})
		if err != nil || h.Metadata["a"] != "" || h.Metadata["b"] != "2" || h.ServerSideEncryption != types.ServerSideEncryptionAes256 || h.SSEKMSKeyId != nil {
			t.Fatalf("replace: %+v %v", h, err)
		}
		// DeleteObject on a bucket without versioning: 204 whether or not
		// the key exists; the object is gone from reads and listings.
		for range 2 {
			if _, err := e.dev.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("k2")}); err != nil {
				t.Fatalf("delete k2: %v", err)
			}
		}
		if _, err := read(t, e.dev, bkt, "k2"); code(err) != "NoSuchKey" {
			t.Fatalf("read after delete: %v, want NoSuchKey", err)
		}
		list, err := e.dev.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bkt)})
		if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "k" {
			t.Fatalf("list after delete: %+v %v", list, err)
		}
	})
}
