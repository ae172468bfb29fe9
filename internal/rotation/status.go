package rotation

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/keyfacts"
)

// MaxOnDemandRotations is KMS's lifetime limit of on-demand rotations per
// key (a resource quota that cannot be raised).
const MaxOnDemandRotations = 25

// Material is one key material as ListKeyRotations(ALL_KEY_MATERIAL) shows it.
type Material struct {
	ID           string
	State        types.KeyMaterialState
	Description  string
	ValidTo      *time.Time
	RotationDate *time.Time
	RotationType types.RotationType
	// ImportState is IMPORTED, or PENDING_IMPORT when the imported copy
	// expired or was deleted: the key cannot use the material until the
	// same material is imported again.
	ImportState types.ImportState
}

// KeyStatus is what KMS says of a key now, read in the Security account.
type KeyStatus struct {
	ARN         string
	KeyID       string
	State       types.KeyState
	Origin      types.OriginType
	MultiRegion bool
	Created     time.Time
	CurrentID   string
	// CurrentSince: the rotation date of the CURRENT material, or the key's
	// creation for a first material (KMS records no import date; creation
	// is the earliest it can be, so ages are never understated).
	CurrentSince      time.Time
	Materials         []Material
	OnDemandRotations int
}

// Pending returns the material waiting for RotateKeyOnDemand, if any.
func (s KeyStatus) Pending() (Material, bool) {
	for _, m := range s.Materials {
		if m.State == types.KeyMaterialStatePendingRotation ||
			m.State == types.KeyMaterialStatePendingMultiRegionImportAndRotation {
			return m, true
		}
	}
	return Material{}, false
}

// EarliestValidTo is the soonest expiry of any material (nil: none expires).
// If any one material expires, the whole key stops working.
func (s KeyStatus) EarliestValidTo() *time.Time {
	var min *time.Time
	for _, m := range s.Materials {
		if m.ValidTo != nil && (min == nil || m.ValidTo.Before(*min)) {
			min = m.ValidTo
		}
	}
	return min
}

// Inspect reads DescribeKey and every ListKeyRotations page for key.
func Inspect(ctx context.Context, k KMS, key string) (KeyStatus, error) {
	d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)})
	if err != nil {
		return KeyStatus{}, fmt.Errorf("describe key %s: %w", key, err)
	}
	md := d.KeyMetadata
	st := KeyStatus{ARN: aws.ToString(md.Arn), KeyID: aws.ToString(md.KeyId), State: md.KeyState,
		Origin: md.Origin, MultiRegion: aws.ToBool(md.MultiRegion), Created: aws.ToTime(md.CreationDate),
		CurrentID: aws.ToString(md.CurrentKeyMaterialId)}
	if err := readMaterials(ctx, k, &st); err != nil {
		return KeyStatus{}, err
	}
	return st, nil
}

func readMaterials(ctx context.Context, k KMS, st *KeyStatus) error {
	entries, err := keyfacts.ListMaterials(ctx, k, st.ARN)
	if err != nil {
		return err
	}
	st.CurrentSince = st.Created
	for _, r := range entries {
		m := Material{ID: aws.ToString(r.KeyMaterialId), State: r.KeyMaterialState,
			Description: aws.ToString(r.KeyMaterialDescription), ValidTo: r.ValidTo,
			RotationDate: r.RotationDate, RotationType: r.RotationType, ImportState: r.ImportState}
		st.Materials = append(st.Materials, m)
		if m.RotationType == types.RotationTypeOnDemand && m.RotationDate != nil {
			st.OnDemandRotations++
		}
		if m.State == types.KeyMaterialStateCurrent && m.RotationDate != nil {
			st.CurrentSince = *m.RotationDate
		}
	}
	return nil
}

// PendingImport lists the materials whose imported copy expired or was
// deleted (ImportState PENDING_IMPORT).
func (s KeyStatus) PendingImport() []Material {
	var out []Material
	for _, m := range s.Materials {
		if m.ImportState == types.ImportStatePendingImport {
			out = append(out, m)
		}
	}
	return out
}
