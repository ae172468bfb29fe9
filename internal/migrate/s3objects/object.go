package s3objects

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

type outcomeKind int

const (
	outcomeUnknown outcomeKind = iota
	outcomeCopied
	outcomeOnTarget
	outcomeLocked
	outcomeVanished
	outcomeOtherKey
)

type outcome struct {
	kind outcomeKind
	key  string
	size int64
}

// maxChanged bounds how often an object rewritten under us is retried.
const maxChanged = 3

// object brings one object onto the target key (decide, then copy). A
// copy refused because the object changed since it was read (412) is
// decided again from a fresh HeadObject: a writer since then used the
// bucket default, the target.
func (e *engine) object(ctx context.Context, it item) (outcome, error) {
	for attempt := 0; ; attempt++ {
		out, src, err := e.decide(ctx, it)
		if err == nil && src != nil {
			out, err = e.apply(ctx, *src)
		}
		if err == nil || !isCode(err, "PreconditionFailed") || attempt >= maxChanged {
			return out, err
		}
	}
}

// decide reads the object (HeadObject) and returns its outcome when it
// needs no copy (on the target, locked, gone), else what to copy.
func (e *engine) decide(ctx context.Context, it item) (outcome, *obj, error) {
	h, err := e.head(ctx, it.key)
	if isNotFound(err) {
		return outcome{kind: outcomeVanished, key: it.key}, nil, nil
	}
	if err != nil {
		return outcome{}, nil, &ObjectError{Key: it.key, Op: "HeadObject", Err: err}
	}
	switch {
	case h.ServerSideEncryption == types.ServerSideEncryptionAwsKms && aws.ToString(h.SSEKMSKeyId) == e.opts.TargetKeyARN:
		return outcome{kind: outcomeOnTarget, key: it.key}, nil, nil
	case e.opts.OnlyFromKeyARN != "" && aws.ToString(h.SSEKMSKeyId) != e.opts.OnlyFromKeyARN:
		return outcome{kind: outcomeOtherKey, key: it.key}, nil, nil
	case locked(h, time.Now()):
		e.opts.Logger.Info("object locked; not re-encrypted", "bucket", e.opts.Bucket, "object_key", it.key)
		return outcome{kind: outcomeLocked, key: it.key}, nil, nil
	}
	return outcome{}, &obj{key: it.key, etag: aws.ToString(h.ETag), size: aws.ToInt64(h.ContentLength), algo: it.algo, head: h}, nil
}

// apply copies src onto itself under the target key.
func (e *engine) apply(ctx context.Context, src obj) (outcome, error) {
	var err error
	if src.size > e.opts.MultipartThreshold {
		err = e.multipart(ctx, src)
	} else {
		err = e.copy(ctx, src)
	}
	if isNotFound(err) {
		return outcome{kind: outcomeVanished, key: src.key}, nil
	}
	if err != nil {
		return outcome{}, err
	}
	return outcome{kind: outcomeCopied, key: src.key, size: src.size}, nil
}

// obj is an object as HeadObject described it just before its copy.
type obj struct {
	key, etag string
	size      int64
	algo      string
	head      *s3.HeadObjectOutput
}

func (e *engine) head(ctx context.Context, key string) (*s3.HeadObjectOutput, error) {
	var h *s3.HeadObjectOutput
	err := e.retry(ctx, func() error {
		var err error
		h, err = e.api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(e.opts.Bucket), Key: aws.String(key)})
		return err
	})
	return h, err
}

// locked: a retention date in the future or a legal hold keeps this
// version, so a copy would leave a locked version on the old key anyway.
func locked(h *s3.HeadObjectOutput, now time.Time) bool {
	if h.ObjectLockLegalHoldStatus == types.ObjectLockLegalHoldStatusOn {
		return true
	}
	return h.ObjectLockMode != "" && h.ObjectLockRetainUntilDate != nil && h.ObjectLockRetainUntilDate.After(now)
}

// copy is CopyObject onto itself: metadata, content headers and tags by
// COPY directives (S3's default), storage class and checksum algorithm
// named again (a copy without them resets them), if-match on the ETag.
func (e *engine) copy(ctx context.Context, src obj) error {
	in := &s3.CopyObjectInput{
		Bucket: aws.String(e.opts.Bucket), Key: aws.String(src.key), CopySource: aws.String(copySource(e.opts.Bucket, src.key)),
		CopySourceIfMatch: aws.String(src.etag), MetadataDirective: types.MetadataDirectiveCopy,
		TaggingDirective: types.TaggingDirectiveCopy, ServerSideEncryption: types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId: aws.String(e.opts.TargetKeyARN), BucketKeyEnabled: aws.Bool(true),
		StorageClass: storageClass(src.head.StorageClass), ChecksumAlgorithm: types.ChecksumAlgorithm(src.algo),
	}
	err := e.retry(ctx, func() error {
		_, err := e.api.CopyObject(ctx, in)
		return err
	})
	if err != nil {
		return &ObjectError{Key: src.key, Op: "CopyObject", Err: err}
	}
	return nil
}

// copySource is x-amz-copy-source: bucket/key, the key URL-encoded.
func copySource(bucket, key string) string {
	return bucket + "/" + strings.ReplaceAll(url.PathEscape(key), "+", "%2B")
}

// storageClass: HeadObject omits STANDARD.
func storageClass(sc types.StorageClass) types.StorageClass {
	if sc == "" {
		return types.StorageClassStandard
	}
	return sc
}

func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

func isNotFound(err error) bool {
	var nk *types.NoSuchKey
	var nf *types.NotFound
	return errors.As(err, &nk) || errors.As(err, &nf) || isCode(err, "NoSuchKey", "NotFound")
}
