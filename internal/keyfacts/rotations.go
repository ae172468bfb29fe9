package keyfacts

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// RotationLister is the one KMS call ListMaterials makes.
type RotationLister interface {
	ListKeyRotations(ctx context.Context, in *kms.ListKeyRotationsInput, opts ...func(*kms.Options)) (*kms.ListKeyRotationsOutput, error)
}

// ListMaterials is byok's one reader of ListKeyRotations: every page, with
// IncludeKeyMaterial ALL_KEY_MATERIAL (so pending and expired-then-deleted
// materials show too, not only rotations). The scan's key facts and the
// rotation engine's key status are both built from it. It is not
// cross-account: k must act in the key's own account.
func ListMaterials(ctx context.Context, k RotationLister, keyARN string) ([]types.RotationsListEntry, error) {
	p := kms.NewListKeyRotationsPaginator(k, &kms.ListKeyRotationsInput{KeyId: aws.String(keyARN),
		IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	var out []types.RotationsListEntry
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list key rotations of %s: %w", keyARN, err)
		}
		out = append(out, page.Rotations...)
	}
	return out, nil
}
