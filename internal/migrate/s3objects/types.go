package s3objects

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// API is the part of the S3 client the engine calls.
type API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, opts ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObjectTagging(ctx context.Context, in *s3.GetObjectTaggingInput, opts ...func(*s3.Options)) (*s3.GetObjectTaggingOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPartCopy(ctx context.Context, in *s3.UploadPartCopyInput, opts ...func(*s3.Options)) (*s3.UploadPartCopyOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

// S3 limits the engine follows.
const (
	// MaxCopySize is the largest object CopyObject copies (5 GB); larger
	// objects need UploadPartCopy.
	MaxCopySize = 5 << 30
	// MinPartSize is the smallest part S3 accepts but the last (5 MiB).
	MinPartSize = 5 << 20
	// MaxParts is S3's part count limit.
	MaxParts = 10000
	// MaxListed bounds the locked keys a result lists (the count is exact).
	MaxListed = 1000
)

// Counts is how far a pass got. Checkpoints carry the counts of every
// object up to the low-water mark.
type Counts struct {
	Copied          int64    `json:"copied"`          // re-encrypted by this engine
	AlreadyOnTarget int64    `json:"alreadyOnTarget"` // skipped: on the target key already
	Locked          int64    `json:"locked"`          // skipped: retention or legal hold
	Vanished        int64    `json:"vanished"`        // deleted between listing and copy
	Bytes           int64    `json:"bytes"`           // bytes re-encrypted
	LockedKeys      []string `json:"lockedKeys,omitempty"`
	// OtherKey: skipped, not on Options.OnlyFromKeyARN (counted only then).
	OtherKey int64 `json:"otherKey,omitempty"`
}

// Done is every object accounted for.
func (c Counts) Done() int64 {
	return c.Copied + c.AlreadyOnTarget + c.Locked + c.Vanished + c.OtherKey
}

func (c *Counts) add(o outcome) {
	switch o.kind {
	case outcomeCopied:
		c.Copied++
		c.Bytes += o.size
	case outcomeOnTarget:
		c.AlreadyOnTarget++
	case outcomeLocked:
		c.Locked++
		if len(c.LockedKeys) < MaxListed {
			c.LockedKeys = append(c.LockedKeys, o.key)
		}
	case outcomeVanished:
		c.Vanished++
	case outcomeOtherKey:
		c.OtherKey++
	}
}

// Checkpoint persists the low-water mark of a pass (a run's journal).
// Load returns "" when the pass has not started.
type Checkpoint interface {
	Load(ctx context.Context) (after string, counts Counts, err error)
	Save(ctx context.Context, after string, counts Counts) error
}

// Progress is reported while a pass runs.
type Progress struct {
	Objects, Bytes int64         // done so far (including a resumed pass's earlier part)
	Total          int64         // Options.TotalObjects (0: unknown)
	Rate           float64       // objects per second in this process
	ETA            time.Duration // 0 when unknown
}

// Result is a finished pass.
type Result struct {
	Counts
	// NoncurrentByKey counts noncurrent versions per KMS key ARN ("" for
	// versions not under SSE-KMS) that are not on the target key: they
	// keep the old key in use until they expire.
	NoncurrentByKey map[string]int64 `json:"noncurrentByKey,omitempty"`
	Noncurrent      int64            `json:"noncurrent"`
}

// Sentinel errors, matched with errors.Is.
var (
	ErrBadTarget  = errors.New("target key must be a KMS key ARN")
	ErrBadOptions = errors.New("invalid re-encryption options")
)

// ObjectError is a copy that failed for a reason other than throttling:
// the pass stops (resumable), naming the object and the S3 call.
type ObjectError struct {
	Key, Op string
	Err     error
}

func (e *ObjectError) Error() string { return fmt.Sprintf("%s %q: %v", e.Op, e.Key, e.Err) }
func (e *ObjectError) Unwrap() error { return e.Err }

// checkTarget accepts only a key ARN: an alias would resolve in the
// writer's account, not the Security account's.
func checkTarget(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" || !strings.HasPrefix(parts[5], "key/") || len(parts[5]) <= len("key/") {
		return fmt.Errorf("%w: got %q (e.g. arn:aws:kms:eu-west-1:111111111111:key/…)", ErrBadTarget, arn)
	}
	return nil
}
