package s3svc

import (
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// The calls below are what S3 Batch Operations (the sandbox's S3 Control)
// does inside S3 on a job's behalf: read the manifest, copy each listed
// object, write the completion report. They run as the caller given (the
// job's role), with the same checks and KMS calls as the API.

// BatchCopy is one S3PutObjectCopy task.
type BatchCopy struct {
	TargetBucket string
	SSE          string // "", AES256, aws:kms, aws:kms:dsse
	KMSKeyID     string
	BucketKey    bool
	StorageClass string
	// ReplaceMetadata is MetadataDirective REPLACE with no new metadata
	// (Batch Operations' NewObjectMetadata is not modelled); COPY keeps
	// content type and user metadata. Tags are copied.
	ReplaceMetadata bool
}

// BucketRegion returns a bucket's Region and owner account.
func (s *Service) BucketRegion(name string) (region, account string, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.buckets[name]
	if b == nil {
		return "", "", false
	}
	return b.Region, b.Account, true
}

// ReadObject returns the plaintext and ETag of a current object.
func (s *Service) ReadObject(c svc.Call, bucket, key string) ([]byte, string, *awsproto.Error) {
	o, err := s.lookupObject(&c, bucket, key)
	if err != nil {
		return nil, "", err
	}
	body, err := s.open(&c, o)
	return body, o.ETag, err
}

// CopyTask copies bucket/key (the version named, or the current one) to
// the same key in cp.TargetBucket, decrypted and sealed again as cp says.
func (s *Service) CopyTask(c svc.Call, bucket, key, versionID string, cp BatchCopy) *awsproto.Error {
	if cp.StorageClass != "" && !storageClasses[cp.StorageClass] {
		return awsproto.Errorf("InvalidStorageClass", "The storage class you specified is not valid")
	}
	src, err := s.lookupVersion(&c, bucket, key, versionID)
	if err != nil {
		return err
	}
	body, err := s.open(&c, src)
	if err != nil {
		return err
	}
	o := &object{Bucket: cp.TargetBucket, Key: key, ContentType: src.ContentType, Metadata: src.Metadata, Tags: src.Tags}
	if cp.StorageClass != "STANDARD" {
		o.StorageClass = cp.StorageClass
	}
	if cp.ReplaceMetadata {
		o.ContentType, o.Metadata = "", nil
	}
	req := sseRequest{Algorithm: cp.SSE, KeyID: cp.KMSKeyID}
	if cp.SSE != "" {
		bk := cp.BucketKey
		req.BucketKey = &bk
	}
	return s.write(&c, o, req, body)
}

// WriteReport stores a report object (SSE-S3, as S3 encrypts completion
// reports whatever the bucket's default).
func (s *Service) WriteReport(c svc.Call, bucket, key, contentType string, body []byte) *awsproto.Error {
	o := &object{Bucket: bucket, Key: key, ContentType: contentType}
	return s.write(&c, o, sseRequest{Algorithm: "AES256"}, body)
}
