package rotation

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/hsm"
)

// KMS is the part of the KMS API a rotation calls; *kms.Client implements it.
type KMS interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	ListKeyRotations(ctx context.Context, in *kms.ListKeyRotationsInput, opts ...func(*kms.Options)) (*kms.ListKeyRotationsOutput, error)
	GetParametersForImport(ctx context.Context, in *kms.GetParametersForImportInput, opts ...func(*kms.Options)) (*kms.GetParametersForImportOutput, error)
	ImportKeyMaterial(ctx context.Context, in *kms.ImportKeyMaterialInput, opts ...func(*kms.Options)) (*kms.ImportKeyMaterialOutput, error)
	RotateKeyOnDemand(ctx context.Context, in *kms.RotateKeyOnDemandInput, opts ...func(*kms.Options)) (*kms.RotateKeyOnDemandOutput, error)
	GetKeyRotationStatus(ctx context.Context, in *kms.GetKeyRotationStatusInput, opts ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error)
	Encrypt(ctx context.Context, in *kms.EncryptInput, opts ...func(*kms.Options)) (*kms.EncryptOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error)
	TagResource(ctx context.Context, in *kms.TagResourceInput, opts ...func(*kms.Options)) (*kms.TagResourceOutput, error)
	ListResourceTags(ctx context.Context, in *kms.ListResourceTagsInput, opts ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error)
	CreateKey(ctx context.Context, in *kms.CreateKeyInput, opts ...func(*kms.Options)) (*kms.CreateKeyOutput, error)
	GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, opts ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
	UpdateAlias(ctx context.Context, in *kms.UpdateAliasInput, opts ...func(*kms.Options)) (*kms.UpdateAliasOutput, error)
	ListAliases(ctx context.Context, in *kms.ListAliasesInput, opts ...func(*kms.Options)) (*kms.ListAliasesOutput, error)
	ListKeys(ctx context.Context, in *kms.ListKeysInput, opts ...func(*kms.Options)) (*kms.ListKeysOutput, error)
	UntagResource(ctx context.Context, in *kms.UntagResourceInput, opts ...func(*kms.Options)) (*kms.UntagResourceOutput, error)
	ListGrants(ctx context.Context, in *kms.ListGrantsInput, opts ...func(*kms.Options)) (*kms.ListGrantsOutput, error)
	CreateGrant(ctx context.Context, in *kms.CreateGrantInput, opts ...func(*kms.Options)) (*kms.CreateGrantOutput, error)
}

// CryptoKMS is what verification needs in a consumer account.
type CryptoKMS interface {
	Encrypt(ctx context.Context, in *kms.EncryptInput, opts ...func(*kms.Options)) (*kms.EncryptOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// Trail is CloudTrail LookupEvents, for the watch step.
type Trail interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// HSM is the part of the HSM session a rotation uses. Material is created
// and wrapped inside the token; nothing here returns plaintext.
type HSM interface {
	Find(ctx context.Context, label string) (hsm.Object, error)
	GenerateAES256(ctx context.Context, label string, id []byte) (hsm.Object, error)
	Wrap(ctx context.Context, obj hsm.Object, publicKeyDER []byte, alg hsm.WrappingAlgorithm, minBits int) (hsm.Wrapped, error)
}
