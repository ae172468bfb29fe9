package rotation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// s3Verify checks the default encryption (SSE-KMS, target key, bucket
// key) and that every sampled current object reports the target key
// unless it is locked; it records what the re-encryption did.
func (j *keyJob) s3Verify(ctx context.Context) error {
	c, err := j.s3Client(ctx)
	if err != nil {
		return err
	}
	s := j.sub()
	alg, key, bk, err := defaultKey(ctx, c, s.Name)
	if err != nil {
		return err
	}
	if alg != string(s3types.ServerSideEncryptionAwsKms) || key != s.TargetKey || !bk {
		return fmt.Errorf("%w: bucket %s default encryption is %s %s (bucket key %v), want aws:kms %s with a bucket key",
			ErrVerification, s.Name, alg, key, bk, s.TargetKey)
	}
	checked, locked, wrong, err := j.s3Sample(ctx, c)
	if err != nil {
		return err
	}
	if len(wrong) > 0 {
		return fmt.Errorf("%w: %d sampled object(s) of %s are not on %s: %s", ErrVerification, len(wrong), s.Name, s.TargetKey,
			strings.Join(wrong[:min(len(wrong), 10)], ", "))
	}
	cp, err := j.s3Last(ctx)
	if err != nil {
		return err
	}
	v := map[string]any{"bucket": s.Name, "default_key": key, "bucket_key": bk, "objects_checked": checked,
		"objects_locked_in_sample": locked, "mode": cp.Mode}
	if r := cp.Result; r != nil {
		v["copied"], v["already_on_target"], v["locked"], v["locked_keys"] = r.Copied, r.AlreadyOnTarget, r.Locked, r.LockedKeys
		v["bytes_copied"], v["noncurrent_not_on_target"], v["noncurrent_by_key"] = r.Bytes, r.Noncurrent, r.NoncurrentByKey
	}
	if cp.Batch != nil {
		v["batch_job"] = cp.Batch.JobID
	}
	j.rk.Verification, _ = json.Marshal(v)
	return j.saveMigration(ctx)
}

// s3Sample heads up to VerifySample current objects (all with -1).
func (j *keyJob) s3Sample(ctx context.Context, c S3Bucket) (checked, locked int, wrong []string, err error) {
	limit := j.e.S3.VerifySample
	if limit == 0 {
		limit = 1000
	}
	s := j.sub()
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(s.Name)})
	for p.HasMorePages() && (limit < 0 || checked < limit) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return checked, locked, wrong, fmt.Errorf("ListObjectsV2 %s: %w", s.Name, err)
		}
		for _, o := range page.Contents {
			if limit >= 0 && checked >= limit {
				break
			}
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.Name), Key: o.Key})
			if err != nil {
				return checked, locked, wrong, fmt.Errorf("HeadObject %s/%s: %w", s.Name, aws.ToString(o.Key), err)
			}
			checked++
			switch {
			case aws.ToString(h.SSEKMSKeyId) == s.TargetKey:
			case objectLocked(h, time.Now()):
				locked++
			default:
				wrong = append(wrong, aws.ToString(o.Key))
			}
		}
	}
	return checked, locked, wrong, nil
}

func objectLocked(h *s3.HeadObjectOutput, now time.Time) bool {
	if h.ObjectLockLegalHoldStatus == s3types.ObjectLockLegalHoldStatusOn {
		return true
	}
	return h.ObjectLockRetainUntilDate != nil && h.ObjectLockRetainUntilDate.After(now)
}
