package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/migrate/s3objects"
	"github.com/byok-dev/byok/internal/store"
)

// The S3 half of the migration rollback (MigrateRollback's steps when the
// migration run's resource is a bucket): the default encryption the
// migration's plan step journaled is put back exactly, then the current
// objects that are on the migration's target key are copied back onto
// the old key with package s3objects (OnlyFromKeyARN: objects on any
// other key are counted and left alone; locked ones are skipped and
// listed), checkpointed in the rollback run's journal as begin events of
// its rollback step. Above the batch threshold an S3 Batch Operations
// job copies them instead, from a manifest of only those objects
// (migrate_rollback_s3batch.go). Noncurrent versions are never touched.

// s3RollbackFacts is the recorded previous default encryption and the
// ARN of the key the objects go back to, checked usable by the migration
// role; a *Refusal says why not. m is the migration's job.
func (j *keyJob) s3RollbackFacts(ctx context.Context, m *keyJob) (S3Encryption, string, error) {
	prev, arn, err := m.s3RollbackCheck(ctx)
	if err != nil {
		return prev, "", j.s3Refuse(err, m.run.ID)
	}
	return prev, arn, nil
}

// s3RollbackCheck is the migration's recorded previous default encryption
// and the ARN of the key it names, checked usable by the migration role
// of the bucket's account. m is the migration's job.
func (m *keyJob) s3RollbackCheck(ctx context.Context) (S3Encryption, string, error) {
	prev, err := m.migrationPrevious(ctx)
	if err != nil {
		return prev, "", err
	}
	key, err := prev.rollbackTarget()
	if err != nil {
		return prev, "", err
	}
	arn, err := m.oldKey(ctx, key)
	return prev, arn, err
}

// s3Refuse wraps why an S3 rollback cannot proceed with the way out.
func (j *keyJob) s3Refuse(err error, migration store.RunID) error {
	hint := "fix the cause, then: byok migrate resume " + j.run.ID.String()
	switch {
	case errors.Is(err, ErrNoPreviousEncryption), errors.Is(err, ErrPreviousNotKMS):
		hint = "byok cannot roll this bucket back; put its default encryption back by hand (aws s3api put-bucket-encryption) and " +
			"give the rollback up: byok runs abandon " + j.run.ID.String() + " --reason …"
	case errors.Is(err, ErrOldKeyRetired):
		hint = "re-enable the key (byok retire --key KEY --undo), then: byok migrate resume " + j.run.ID.String()
	}
	return &Refusal{KeyARN: j.rk.KeyARN, Err: fmt.Errorf("rollback of %s: %w", migration, err), Hint: hint}
}

// s3Unswitch restores the default encryption, then copies the objects on
// the migration's target key back onto the old key.
func (j *keyJob) s3Unswitch(ctx context.Context, m *keyJob) error {
	prev, oldARN, err := j.s3RollbackFacts(ctx, m)
	if err != nil {
		return err
	}
	c, err := j.s3Client(ctx)
	if err != nil {
		return err
	}
	if err := putEncryption(ctx, c, j.sub().Name, prev); err != nil {
		return err
	}
	j.e.failpointAt(MigrateRollback.String() + "/rollback:default-restored")
	cp, err := j.s3LastAt(ctx, store.StepRollback)
	if err != nil || cp.Result != nil {
		return err // the pass ended before the process did
	}
	if cp.Mode == "" {
		if cp.Mode, cp.Total, err = j.s3Mode(ctx, c); err != nil {
			return err
		}
		if err := j.s3SaveAt(ctx, store.StepRollback, cp); err != nil {
			return err
		}
	}
	var res s3objects.Result
	if cp.Mode == "batch" {
		res, err = j.s3RollbackBatch(ctx, c, &cp, m.rk.NewKeyID, oldARN)
	} else {
		opts := j.s3Options(&journalCheckpoint{j: j, step: store.StepRollback, mode: cp.Mode, total: cp.Total})
		opts.TargetKeyARN, opts.OnlyFromKeyARN, opts.TotalObjects = oldARN, m.rk.NewKeyID, cp.Total
		res, err = s3objects.Run(ctx, c, opts)
	}
	if err != nil {
		return fmt.Errorf("copy %s back onto %s: %w", j.sub().Name, oldARN, err)
	}
	return j.s3SaveAt(ctx, store.StepRollback, s3Checkpoint{Mode: cp.Mode, Total: cp.Total, Batch: cp.Batch, Result: &res})
}

// putEncryption puts p as the bucket's default encryption (repeating it
// is harmless).
func putEncryption(ctx context.Context, c S3Bucket, bucket string, p S3Encryption) error {
	d := &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryption(p.Algorithm)}
	if p.KMSKeyID != "" {
		d.KMSMasterKeyID = aws.String(p.KMSKeyID)
	}
	_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: d, BucketKeyEnabled: aws.Bool(p.BucketKey)}}}})
	if err != nil {
		return fmt.Errorf("PutBucketEncryption %s back to %s: %w", bucket, p, err)
	}
	return nil
}
