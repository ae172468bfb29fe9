package rotation

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/store"
)

// s3RollbackSample is what the rollback's verify found among the current
// objects it read.
type s3RollbackSample struct {
	Checked, OnOld, OtherKey int
	LockedOnTarget           []string // still on the migration's target: locked
	Wrong                    []string // on the migration's target, not locked
}

// s3UnswitchVerify checks the default encryption equals the recorded one
// and reads (GetObject, so S3 decrypts) up to VerifySample current
// objects (-1: all): none may be left on the migration's target key
// unless locked. It fills v with what it checked and what the copy did.
func (j *keyJob) s3UnswitchVerify(ctx context.Context, m *keyJob, v map[string]any) error {
	prev, oldARN, err := j.s3RollbackFacts(ctx, m)
	if err != nil {
		return err
	}
	c, err := j.s3Client(ctx)
	if err != nil {
		return err
	}
	name := j.sub().Name
	alg, key, bk, err := defaultKey(ctx, c, name)
	if err != nil {
		return err
	}
	if got := (S3Encryption{Algorithm: alg, KMSKeyID: key, BucketKey: bk}); got != prev {
		return fmt.Errorf("%w: bucket %s default encryption is %s, want the recorded %s", ErrVerification, name, got, prev)
	}
	sm, err := j.s3RollbackRead(ctx, c, m.rk.NewKeyID, oldARN)
	if err != nil {
		return err
	}
	if len(sm.Wrong) > 0 {
		return fmt.Errorf("%w: %d object(s) of %s are still on the migration's key %s: %s", ErrVerification, len(sm.Wrong), name,
			m.rk.NewKeyID, strings.Join(sm.Wrong[:min(len(sm.Wrong), 10)], ", "))
	}
	v["kms_key_id"], v["bucket"], v["default_encryption"] = oldARN, name, prev
	v["objects_read"], v["objects_read_on_old_key"], v["objects_read_on_other_keys"] = sm.Checked, sm.OnOld, sm.OtherKey
	v["locked_on_migration_key"], v["verify_sample"] = sm.LockedOnTarget, j.e.S3.VerifySample
	cp, err := j.s3LastAt(ctx, store.StepRollback)
	if err != nil {
		return err
	}
	if r := cp.Result; r != nil {
		v["copied_back"], v["bytes_copied_back"], v["already_on_old_key"] = r.Copied, r.Bytes, r.AlreadyOnTarget
		v["left_on_other_keys"], v["locked"], v["locked_keys"], v["noncurrent_untouched"] = r.OtherKey, r.Locked, r.LockedKeys, r.Noncurrent
	}
	v["mode"] = cp.Mode
	if cp.Batch != nil {
		v["batch_job"] = cp.Batch.JobID
	}
	return nil
}

// s3RollbackRead reads up to VerifySample current objects (default 1000,
// -1 all) with GetObject (the first byte: S3 must still decrypt the
// object's data key): an object on the old key must decrypt and report it.
func (j *keyJob) s3RollbackRead(ctx context.Context, c S3Bucket, migKey, oldARN string) (s3RollbackSample, error) {
	limit := j.e.S3.VerifySample
	if limit == 0 {
		limit = 1000
	}
	var sm s3RollbackSample
	name := j.sub().Name
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
	for p.HasMorePages() && (limit < 0 || sm.Checked < limit) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return sm, fmt.Errorf("ListObjectsV2 %s: %w", name, err)
		}
		for _, o := range page.Contents {
			if limit >= 0 && sm.Checked >= limit {
				break
			}
			if err := j.s3RollbackReadOne(ctx, c, aws.ToString(o.Key), migKey, oldARN, &sm); err != nil {
				return sm, err
			}
		}
	}
	return sm, nil
}

func (j *keyJob) s3RollbackReadOne(ctx context.Context, c S3Bucket, key, migKey, oldARN string, sm *s3RollbackSample) error {
	name := j.sub().Name
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(name), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("HeadObject %s/%s: %w", name, key, err)
	}
	sm.Checked++
	switch k := aws.ToString(h.SSEKMSKeyId); {
	case k == migKey && objectLocked(h, time.Now()):
		sm.LockedOnTarget = append(sm.LockedOnTarget, key)
	case k == migKey:
		sm.Wrong = append(sm.Wrong, key)
	case k == oldARN:
		in := &s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String(key)}
		if aws.ToInt64(h.ContentLength) > 0 {
			in.Range = aws.String("bytes=0-0") // S3 decrypts to serve one byte; a sample of 5 GB objects reads 1,000 bytes
		}
		out, err := c.GetObject(ctx, in)
		if err != nil {
			return fmt.Errorf("%w: GetObject %s/%s (on %s): %v", ErrVerification, name, key, oldARN, err)
		}
		_, err = io.Copy(io.Discard, out.Body)
		out.Body.Close()
		if err != nil || aws.ToString(out.SSEKMSKeyId) != oldARN {
			return fmt.Errorf("%w: GetObject %s/%s reports %s (read: %v), want %s", ErrVerification, name, key, aws.ToString(out.SSEKMSKeyId), err, oldARN)
		}
		sm.OnOld++
	default:
		sm.OtherKey++
	}
	return nil
}
