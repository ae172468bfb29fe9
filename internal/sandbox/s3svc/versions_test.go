package s3svc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func versionIDs(t *testing.T, c *s3.Client, bucket string, pageSize int32) []string {
	t.Helper()
	var ids []string
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(pageSize)}
	for {
		out, err := c.ListObjectVersions(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			ids = append(ids, aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId))
		}
		if !aws.ToBool(out.IsTruncated) {
			return ids
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}

func readVersion(t *testing.T, c *s3.Client, bucket, key, version string) string {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(version)})
	if err != nil {
		t.Fatalf("get %s@%s: %v", key, version, err)
	}
	defer out.Body.Close()
	var b strings.Builder
	buf := make([]byte, 64)
	for {
		n, err := out.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// TestVersioningAndReencrypt: an object written before versioning is the
// "null" version; a re-encrypting CopyObject onto itself makes a new
// version on the new key while the old version stays on the old key,
// readable by versionId and listed (what blocks retiring the old key).
func TestVersioningAndReencrypt(t *testing.T) { eachKMSEnv(t, testVersioningAndReencrypt) }

func testVersioningAndReencrypt(t *testing.T, e *kmsEnv) {
	e.be.RequireSandbox(t, "a versioned bucket keeps its versions after the cleanup's DeleteObject")
	ctx := context.Background()
	vb := e.bucket(t, "ver-bucket", false)
	put := func(body string) *s3.PutObjectOutput {
		out, err := e.dev.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(vb), Key: aws.String("doc"), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	put("v0")
	if _, err := e.dev.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(vb),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	if v, err := e.dev.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(vb)}); err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning = %+v, %v", v, err)
	}
	v1 := aws.ToString(put("v1").VersionId)
	if v1 == "" || v1 == "null" {
		t.Fatalf("a write to a versioned bucket has version %q", v1)
	}
	cp, err := e.dev.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(vb), Key: aws.String("doc"), CopySource: aws.String(vb + "/doc"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(e.new)})
	if err != nil || aws.ToString(cp.VersionId) == v1 || aws.ToString(cp.CopySourceVersionId) != v1 {
		t.Fatalf("re-encrypting copy: %+v %v", cp, err)
	}
	if got := versionIDs(t, e.dev, vb, 1); len(got) != 3 || got[1] != "doc@"+v1 || got[2] != "doc@null" {
		t.Fatalf("versions (one per page) = %v; want the copy, %s, null", got, v1)
	}
	if readVersion(t, e.dev, vb, "doc", "null") != "v0" || readVersion(t, e.dev, vb, "doc", v1) != "v1" {
		t.Fatal("old versions do not read back")
	}
	h, err := e.dev.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(vb), Key: aws.String("doc"), VersionId: aws.String(v1)})
	if err != nil || aws.ToString(h.SSEKMSKeyId) != e.oldK {
		t.Fatalf("noncurrent version key = %+v, %v; want the old key", h, err)
	}
	if _, err := e.dev.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(vb), Key: aws.String("restored"),
		CopySource: aws.String(vb + "/doc?versionId=null")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := read(t, e.dev, vb, "restored"); got != "v0" {
		t.Fatalf("copy of the null version = %q", got)
	}
	_, err = e.dev.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(vb), Key: aws.String("doc"), VersionId: aws.String("nope")})
	if code(err) != "NoSuchVersion" {
		t.Fatalf("unknown version: %v", err)
	}
	// Deleting the current version makes the one before it current again.
	if _, err := e.dev.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(vb), Key: aws.String("doc"), VersionId: cp.VersionId}); err != nil {
		t.Fatal(err)
	}
	if got, err := read(t, e.dev, vb, "doc"); err != nil || got != "v1" {
		t.Fatalf("after deleting the current version: %q, %v; want v1", got, err)
	}
}

// TestObjectLock: retention and legal hold per version; a copy onto a
// locked object's key is allowed and makes a new version (the locked one
// keeps its lock), as in S3; S3's refusals with their codes.
func TestObjectLock(t *testing.T) { eachKMSEnv(t, testObjectLock) }

func testObjectLock(t *testing.T, e *kmsEnv) {
	e.be.RequireSandbox(t, "an Object Lock bucket under COMPLIANCE retention cannot be deleted for a day")
	ctx := context.Background()
	lb := e.bucket(t, "lock-bucket", false)
	b := aws.String(lb)
	_, err := e.dev.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b,
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
	if code(err) != "InvalidBucketState" {
		t.Fatalf("lock without versioning: %v", err)
	}
	if _, err := e.dev.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.dev.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: b, Key: aws.String("k"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
	if code(err) != "InvalidRequest" {
		t.Fatalf("legal hold without Object Lock: %v", err)
	}
	if _, err := e.dev.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.dev.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b,
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}}); err != nil {
		t.Fatal(err)
	}
	locked, err := e.dev.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("kept")})
	if err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	if _, err := e.dev.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b, Key: aws.String("k"),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(until)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.dev.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: b, Key: aws.String("k"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}); err != nil {
		t.Fatal(err)
	}
	h, err := e.dev.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("k")})
	if err != nil || h.ObjectLockMode != types.ObjectLockModeCompliance || h.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("head of a locked object: %+v %v", h, err)
	}
	cp, err := e.dev.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("k"), CopySource: aws.String(lb + "/k"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(e.new)})
	if err != nil || aws.ToString(cp.VersionId) == aws.ToString(locked.VersionId) {
		t.Fatalf("copy onto the locked key: %+v %v; want a new version", cp, err)
	}
	ret, err := e.dev.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: b, Key: aws.String("k"), VersionId: locked.VersionId})
	if err != nil || !aws.ToTime(ret.Retention.RetainUntilDate).Equal(until) {
		t.Fatalf("locked version's retention after the copy: %+v %v", ret, err)
	}
	hold, err := e.dev.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: b, Key: aws.String("k"), VersionId: locked.VersionId})
	if err != nil || hold.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("locked version's legal hold: %+v %v", hold, err)
	}
	errs := map[string]error{}
	_, errs["AccessDenied"] = e.dev.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b, Key: aws.String("k"), VersionId: locked.VersionId,
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(until.Add(-time.Hour))}})
	_, errs["InvalidArgument"] = e.dev.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b, Key: aws.String("k"),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(-time.Hour))}})
	_, errs["NoSuchObjectLockConfiguration"] = e.dev.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: b, Key: aws.String("k")})
	_, errs["InvalidBucketState"] = e.dev.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	_, errs["AccessDenied"+" (delete)"] = e.dev.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k"), VersionId: locked.VersionId})
	for want, err := range errs {
		if got := code(err); got != strings.TrimSuffix(want, " (delete)") {
			t.Errorf("%v; want %s", err, want)
		}
	}
	// Deleting without a version hides the key; the locked version stays.
	if _, err := e.dev.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := read(t, e.dev, lb, "k"); code(err) != "NoSuchKey" {
		t.Fatalf("read after delete: %v", err)
	}
	if readVersion(t, e.dev, lb, "k", aws.ToString(locked.VersionId)) != "kept" {
		t.Fatal("the locked version is gone")
	}
}
