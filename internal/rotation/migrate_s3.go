package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/migrate/s3batch"
	"github.com/byok-dev/byok/internal/migrate/s3objects"
	"github.com/byok-dev/byok/internal/store"
)

// The S3 bucket method: the bucket's default encryption onto the target
// key ARN with an S3 Bucket Key, then every current object re-encrypted
// in place (package s3objects, checkpointed in the journal; above
// S3Migration.BatchThreshold objects by an S3 Batch Operations job,
// package s3batch), then verified. No downtime: readers keep reading
// (S3 decrypts with each object's own key) and new writes take the new
// default. Nothing is deleted; noncurrent versions stay on their key and
// are reported.
func init() {
	register(&procedure{strategy: MigrateS3Bucket, resource: true, method: methodS3, table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).s3Plan, next: []store.Step{store.StepDefaultEncryption}},
		{step: store.StepDefaultEncryption, do: (*keyJob).s3Default, next: []store.Step{store.StepReencrypt}},
		{step: store.StepReencrypt, do: (*keyJob).s3Reencrypt, next: []store.Step{store.StepVerify}},
		{step: store.StepVerify, do: (*keyJob).s3Verify, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).s3Record, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
}

// methodS3 is package migrate's MethodS3.
const methodS3 = "s3-default-encryption-and-copy-in-place"

// S3Migration tunes the S3 bucket method; zero values are the defaults.
type S3Migration struct {
	// BatchThreshold: a bucket with more current objects is re-encrypted
	// by S3 Batch Operations (default 100,000).
	BatchThreshold int64
	// InFlight objects copied at once in-process (default 32).
	InFlight int
	// MultipartThreshold and PartSize of the in-process copy (package
	// s3objects' defaults: 5 GB and 512 MiB).
	MultipartThreshold, PartSize int64
	// BatchRole is the role Batch Operations assumes in the bucket's
	// account ({account} replaced; default DefaultBatchRole).
	BatchRole string
	// BatchBucket holds manifests and reports, in the bucket's account
	// and Region ({account} and {region} replaced; default DefaultBatchBucket).
	BatchBucket string
	// CheckpointEvery objects the copy's low-water mark is journaled
	// (default 500).
	CheckpointEvery int
	// VerifySample objects are checked by verify (default 1000; -1 all).
	VerifySample int
	// Progress receives the copy's progress per bucket (a TTY bar).
	Progress func(S3Progress)
}

// Defaults of the Batch Operations path (deploy/member-account.yaml
// creates the role when EnableMigrationRole=true; the bucket is the
// account owner's).
const (
	DefaultBatchRole   = "arn:aws:iam::{account}:role/byok-batch-operations"
	DefaultBatchBucket = "byok-batch-{account}-{region}"
)

// S3Progress is the progress of one bucket's re-encryption.
type S3Progress struct {
	Bucket string
	s3objects.Progress
	// JobID is set on the Batch Operations path (Objects are its tasks).
	JobID string
}

// S3Resources is implemented by Resources that also reach S3: the member
// account's migration role's S3 and S3 Control clients.
type S3Resources interface {
	S3(ctx context.Context, account, region string) (S3Bucket, error)
	S3Control(ctx context.Context, account, region string) (s3batch.Control, error)
}

// S3Bucket is what the S3 method calls; *s3.Client implements it.
type S3Bucket interface {
	s3objects.API
	s3batch.S3
	GetBucketEncryption(ctx context.Context, in *s3.GetBucketEncryptionInput, opts ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	PutBucketEncryption(ctx context.Context, in *s3.PutBucketEncryptionInput, opts ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error)
	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, opts ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
}

// ErrNoS3Resources: the engine's Resources reach no S3.
var ErrNoS3Resources = errors.New("the engine's migration role clients reach no S3 (Engine.Resources is not an S3Resources)")

func (j *keyJob) s3Client(ctx context.Context) (S3Bucket, error) {
	r, err := j.e.resources()
	if err != nil {
		return nil, err
	}
	sr, ok := r.(S3Resources)
	if !ok {
		return nil, ErrNoS3Resources
	}
	s := j.sub()
	return sr.S3(ctx, s.Account, s.Region)
}

// defaultKey reads the bucket's default encryption: algorithm, key, bucket key.
func defaultKey(ctx context.Context, c S3Bucket, bucket string) (string, string, bool, error) {
	out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", "", false, fmt.Errorf("GetBucketEncryption %s: %w", bucket, err)
	}
	if out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) == 0 {
		return "", "", false, nil
	}
	r := out.ServerSideEncryptionConfiguration.Rules[0]
	if r.ApplyServerSideEncryptionByDefault == nil {
		return "", "", aws.ToBool(r.BucketKeyEnabled), nil
	}
	d := r.ApplyServerSideEncryptionByDefault
	return string(d.SSEAlgorithm), aws.ToString(d.KMSMasterKeyID), aws.ToBool(r.BucketKeyEnabled), nil
}

// s3Plan reads the bucket as it is: its default key becomes the run
// key's OldKeyID (what a later retire checks); the whole default
// encryption (what a rollback restores) and the versioning are journaled
// with the step.
func (j *keyJob) s3Plan(ctx context.Context) error {
	c, err := j.s3Client(ctx)
	if err != nil {
		return err
	}
	s := j.sub()
	alg, key, bk, err := defaultKey(ctx, c, s.Name)
	if err != nil {
		return err
	}
	prev, _ := json.Marshal(S3Encryption{Algorithm: alg, KMSKeyID: key, BucketKey: bk}) // strings and a bool
	j.note(notePreviousEncryption, string(prev))
	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(s.Name)})
	if err != nil {
		return fmt.Errorf("GetBucketVersioning %s: %w", s.Name, err)
	}
	j.rk.OldKeyID, j.rk.OldMaterialID = key, s.Name
	j.note("versioning", string(v.Status))
	return j.saveMigration(ctx)
}

// s3Default puts the default encryption: SSE-KMS with the target key ARN
// and an S3 Bucket Key. Repeating it is harmless.
func (j *keyJob) s3Default(ctx context.Context) error {
	c, err := j.s3Client(ctx)
	if err != nil {
		return err
	}
	s := j.sub()
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(s.Name),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String(s.TargetKey)},
			BucketKeyEnabled: aws.Bool(true)}}}})
	if err != nil {
		return fmt.Errorf("PutBucketEncryption %s onto %s: %w", s.Name, s.TargetKey, err)
	}
	return nil
}

func (j *keyJob) note(k, v string) {
	if j.notes == nil {
		j.notes = map[string]string{}
	}
	j.notes[k] = v
}

func (j *keyJob) s3Record(ctx context.Context) error {
	return j.migrationRecord(ctx, map[string]any{"method": methodS3})
}

func (o S3Migration) batchThreshold() int64 {
	if o.BatchThreshold <= 0 {
		return 100_000
	}
	return o.BatchThreshold
}

func (o S3Migration) poll(e *Engine) time.Duration {
	if e.MigrationPoll > 0 {
		return e.MigrationPoll
	}
	return defaultMigrationPoll
}
