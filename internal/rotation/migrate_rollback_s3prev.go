package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/store"
)

// S3Encryption is a bucket's default encryption as the S3 migration's
// plan step found it (GetBucketEncryption's first rule), journaled so a
// rollback can put it back exactly.
type S3Encryption struct {
	Algorithm string `json:"sse_algorithm"`               // aws:kms, aws:kms:dsse or AES256 (only aws:kms is rolled back to)
	KMSKeyID  string `json:"kms_master_key_id,omitempty"` // as the bucket named it (ARN, key ID or alias)
	BucketKey bool   `json:"bucket_key_enabled"`
}

func (p S3Encryption) String() string {
	if p.KMSKeyID == "" {
		return fmt.Sprintf("%s (bucket key %v)", p.Algorithm, p.BucketKey)
	}
	return fmt.Sprintf("%s %s (bucket key %v)", p.Algorithm, p.KMSKeyID, p.BucketKey)
}

// notePreviousEncryption is the plan step's journal detail key of the
// bucket's default encryption before the migration (JSON S3Encryption).
const notePreviousEncryption = "previous_encryption"

// Why an S3 migration cannot be rolled back; matched with errors.Is.
var (
	// ErrNoPreviousEncryption: the migration run was journaled before byok
	// recorded the bucket's previous default encryption.
	ErrNoPreviousEncryption = errors.New("the migration did not record the bucket's previous default encryption")
	// ErrPreviousNotKMS: the bucket was not on a customer managed KMS key
	// before (SSE-S3, or SSE-KMS with the AWS managed aws/s3 key).
	ErrPreviousNotKMS = errors.New("the bucket's previous default encryption names no customer managed KMS key")
)

// s3Previous reads the previous default encryption from the plan step's
// end event of journal evs for resource arn.
func s3Previous(evs []store.Event, arn string) (S3Encryption, error) {
	for _, ev := range evs {
		if ev.KeyARN != arn || ev.Step != store.StepPlan || ev.Phase != store.PhaseEnd || len(ev.Detail) == 0 {
			continue
		}
		var d map[string]any
		if err := json.Unmarshal(ev.Detail, &d); err != nil {
			return S3Encryption{}, fmt.Errorf("plan step detail of %s: %w", arn, err)
		}
		raw, ok := d[notePreviousEncryption].(string)
		if !ok {
			continue
		}
		var p S3Encryption
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return S3Encryption{}, fmt.Errorf("%w: unreadable record %q: %v", ErrNoPreviousEncryption, raw, err)
		}
		return p, nil
	}
	return S3Encryption{}, ErrNoPreviousEncryption
}

// rollbackTarget is the KMS key a rollback re-encrypts objects back onto,
// as the bucket named it; refused when there is none.
func (p S3Encryption) rollbackTarget() (string, error) {
	if p.Algorithm != string(s3types.ServerSideEncryptionAwsKms) {
		return "", fmt.Errorf("%w: it was %s", ErrPreviousNotKMS, p)
	}
	if p.KMSKeyID == "" {
		return "", fmt.Errorf("%w: it was %s, the AWS managed key aws/s3", ErrPreviousNotKMS, p)
	}
	return p.KMSKeyID, nil
}

// migrationPrevious is the recorded previous default encryption of the
// migration run m's bucket.
func (m *keyJob) migrationPrevious(ctx context.Context) (S3Encryption, error) {
	evs, err := m.e.Store.Journal(ctx, m.run.ID)
	if err != nil {
		return S3Encryption{}, err
	}
	p, err := s3Previous(evs, m.rk.KeyARN)
	if errors.Is(err, ErrNoPreviousEncryption) {
		return p, fmt.Errorf("run %s, bucket %s: %w (the run was journaled by a byok that did not record it, so byok cannot know "+
			"what to restore; put the default back by hand: aws s3api put-bucket-encryption)", m.run.ID, m.sub().Name, err)
	}
	if err != nil {
		return p, fmt.Errorf("run %s, bucket %s: %w", m.run.ID, m.sub().Name, err)
	}
	return p, nil
}
