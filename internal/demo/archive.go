package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/estate"
)

// The archive: a bucket of the new-key environment whose default names
// the S3 estate key by its key ARN (as byok advises: an alias would
// resolve in the writer's account), holding objects written before any
// rotation. A new-key rotation leaves the bucket and every object on the
// old key (KEY_SUPERSEDED) until byok migrate moves them.
const (
	archiveObjects = 40
	archivePrefix  = "records/"
)

func archiveBucket(env string) string { return "byok-demo-" + env + "-archive" }

func archiveKey(i int) string  { return fmt.Sprintf("%s%04d.json", archivePrefix, i) }
func archiveBody(i int) string { return fmt.Sprintf(`{"record":%d}`, i) }

// archiveKeyOf is the new-key phase's S3 key, when it rotates one.
func (s *story) archiveKeyOf() (estate.Key, bool) {
	for _, a := range s.w.opts.NewKeyAliases {
		if k, err := s.estateKey(a); err == nil && k.Service == estate.ServiceS3 {
			return k, true
		}
	}
	return estate.Key{}, false
}

// seedArchive is the consumer application creating its archive bucket on
// the S3 estate key's ARN and writing its records (at stand-up, so every
// scan counts the bucket).
func (s *story) seedArchive(ctx context.Context) error {
	k, ok := s.archiveKeyOf()
	if !ok {
		return nil
	}
	name, c := archiveBucket(k.Env), s.ownerS3(ctx, k.Consumer)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(k.Region)}})
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(name),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String(s.seededKeyARN(k.Alias))}, BucketKeyEnabled: aws.Bool(true)}}}})
	if err != nil {
		return fmt.Errorf("set %s's default encryption: %w", name, err)
	}
	for i := range archiveObjects {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String(archiveKey(i)),
			Body: bytes.NewReader([]byte(archiveBody(i))), ContentType: aws.String("application/json")}); err != nil {
			return fmt.Errorf("write %s/%s: %w", name, archiveKey(i), err)
		}
	}
	s.out.line("archive     %s in %s: %d objects on %s's key by ARN", name, k.Env, archiveObjects, k.Alias)
	return nil
}

// archiveOn names the archive bucket when its default is keyARN.
func (s *story) archiveOn(ctx context.Context, account, keyARN string) string {
	k, ok := s.archiveKeyOf()
	if !ok || k.Consumer != account {
		return ""
	}
	out, err := s.ownerS3(ctx, account).GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(archiveBucket(k.Env))})
	if err != nil || out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) == 0 {
		return ""
	}
	if d := out.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault; d != nil && aws.ToString(d.KMSMasterKeyID) == keyARN {
		return fmt.Sprintf("S3 bucket %s and its %d objects", archiveBucket(k.Env), archiveObjects)
	}
	return ""
}

// checkArchiveMigrated proves, right after the migration, that every
// archive object reads back intact and reports the new key.
func (s *story) checkArchiveMigrated(ctx context.Context, account string) error {
	k, ok := s.archiveKeyOf()
	if !ok || k.Consumer != account {
		return nil
	}
	want := s.newKeyOf(k.Alias)
	c := s.ownerS3(ctx, account)
	for i := range archiveObjects {
		p := s.readArchived(ctx, c, k, i)
		if !p.OK || keyTail(p.KeyID) != keyTail(want) {
			return fmt.Errorf("%s after the migration: key %s, %s; want it readable on %s", p.Name, p.KeyID, p.Error, want)
		}
	}
	s.out.ok("%s: all %d objects read back intact, on the new key %s", archiveBucket(k.Env), archiveObjects, want)
	return nil
}

// readArchived reads archive object i back by GetObject.
func (s *story) readArchived(ctx context.Context, c *s3.Client, k estate.Key, i int) ReadProof {
	p := ReadProof{Kind: "s3-object", Name: archiveBucket(k.Env) + "/" + archiveKey(i), Account: k.Consumer}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(archiveBucket(k.Env)), Key: aws.String(archiveKey(i))})
	if err != nil {
		p.Error = err.Error()
		return p
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	p.KeyID = aws.ToString(out.SSEKMSKeyId)
	p.OK = err == nil && string(body) == archiveBody(i)
	if !p.OK {
		p.Error = fmt.Sprintf("body %q, %v", body, err)
	}
	return p
}

// newKeyOf is the ARN of the key the new-key rotation moved alias to.
func (s *story) newKeyOf(alias string) string {
	for _, r := range s.retired {
		if r.Alias == alias {
			return r.NewKeyID
		}
	}
	return ""
}
