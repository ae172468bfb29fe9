package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KeyUser is what a member account's migration role calls to prove it
// can use a key; *kms.Client implements it.
type KeyUser interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GenerateDataKeyWithoutPlaintext(ctx context.Context, in *kms.GenerateDataKeyWithoutPlaintextInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyWithoutPlaintextOutput, error)
}

// KMSResources is implemented by Resources that also reach KMS as the
// migration role (an S3 rollback checks the key it goes back to).
type KMSResources interface {
	MigrationKMS(ctx context.Context, account, region string) (KeyUser, error)
}

// Why a rollback cannot go back to the old key; matched with errors.Is.
var (
	// ErrOldKeyRetired: the old key is disabled or pending deletion.
	ErrOldKeyRetired = errors.New("the key the resource was on is retired (disabled or pending deletion)")
	// ErrOldKeyUnusable: the migration role cannot use the old key.
	ErrOldKeyUnusable = errors.New("the migration role cannot use the key the resource was on")
	// ErrNoKMSResources: the engine's Resources reach no KMS.
	ErrNoKMSResources = errors.New("the engine's migration role clients reach no KMS (Engine.Resources is not a KMSResources)")
)

// rollbackKeyContext is the encryption context of the usability check
// (no plaintext is asked for, nothing is kept).
var rollbackKeyContext = map[string]string{"byok:purpose": "migration-rollback-preflight"}

// oldKeyVerdict judges the old key from what the migration role saw:
// DescribeKey's error or key state, then GenerateDataKeyWithoutPlaintext's
// error. nil means the rollback may go back to it.
func oldKeyVerdict(key, account string, describeErr error, state kmstypes.KeyState, useErr error) error {
	switch {
	case describeErr != nil:
		return fmt.Errorf("%w: account %s cannot describe %s: %v; the key policy must still allow the account (deploy/key-policy-consumer.json)",
			ErrOldKeyUnusable, account, key, describeErr)
	case state == kmstypes.KeyStateDisabled || state == kmstypes.KeyStatePendingDeletion || state == kmstypes.KeyStatePendingReplicaDeletion:
		return fmt.Errorf("%w: %s is %s; re-enable it first (byok retire --key %s --undo; a key pending deletion: aws kms cancel-key-deletion, then --undo)",
			ErrOldKeyRetired, key, state, key)
	case state != kmstypes.KeyStateEnabled:
		return fmt.Errorf("%w: %s is %s, not Enabled", ErrOldKeyUnusable, key, state)
	case useErr != nil:
		return fmt.Errorf("%w: account %s cannot use %s: %v; add the account back to the key policy (deploy/key-policy-consumer.json)",
			ErrOldKeyUnusable, account, key, useErr)
	}
	return nil
}

// oldKey resolves key (as the bucket named it) to its ARN through the
// migration role of the subject's account and judges it (oldKeyVerdict).
func (j *keyJob) oldKey(ctx context.Context, key string) (string, error) {
	r, err := j.e.resources()
	if err != nil {
		return "", err
	}
	kr, ok := r.(KMSResources)
	if !ok {
		return "", ErrNoKMSResources
	}
	s := j.sub()
	c, err := kr.MigrationKMS(ctx, s.Account, s.Region)
	if err != nil {
		return "", err
	}
	return checkOldKey(ctx, c, key, s.Account)
}

// checkOldKey is oldKey on a client.
func checkOldKey(ctx context.Context, c KeyUser, key, account string) (string, error) {
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)})
	if err != nil || d.KeyMetadata == nil {
		if err == nil {
			err = errors.New("DescribeKey returned no key metadata")
		}
		return "", oldKeyVerdict(key, account, err, "", nil)
	}
	arn, state := aws.ToString(d.KeyMetadata.Arn), d.KeyMetadata.KeyState
	var useErr error
	if state == kmstypes.KeyStateEnabled {
		_, useErr = c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: aws.String(arn),
			NumberOfBytes: aws.Int32(32), EncryptionContext: rollbackKeyContext})
	}
	return arn, oldKeyVerdict(arn, account, nil, state, useErr)
}
