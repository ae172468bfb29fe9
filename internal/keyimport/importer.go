package keyimport

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/hsm"
)

// KMS is the part of the KMS API transport calls.
type KMS interface {
	GetParametersForImport(ctx context.Context, in *kms.GetParametersForImportInput, opts ...func(*kms.Options)) (*kms.GetParametersForImportOutput, error)
	ImportKeyMaterial(ctx context.Context, in *kms.ImportKeyMaterialInput, opts ...func(*kms.Options)) (*kms.ImportKeyMaterialOutput, error)
}

// HSM is the part of the HSM session an import uses.
type HSM interface {
	Objects
	Wrap(ctx context.Context, obj hsm.Object, publicKeyDER []byte, alg hsm.WrappingAlgorithm, minBits int) (hsm.Wrapped, error)
}

// Params are the public import parameters of one GetParametersForImport
// call; the token is bound to the key and to this public key.
type Params struct {
	KeyID       string
	PublicKey   []byte
	ImportToken []byte
	ValidTo     time.Time
}

// Usable reports whether p can still be used at now, keeping margin for
// the wrap and the import call.
func (p Params) Usable(now time.Time, margin time.Duration) bool {
	return len(p.ImportToken) > 0 && now.Add(margin).Before(p.ValidTo)
}

// Importer runs the transport for one wrapping configuration.
type Importer struct {
	KMS       KMS
	HSM       HSM
	Algorithm hsm.WrappingAlgorithm
	KeySpec   string // RSA_2048, RSA_3072, RSA_4096
	Logger    *slog.Logger
}

// Log attribute keys.
const (
	logKeyKey      = "key_id"
	logKeyDigest   = "blob_sha256"
	logKeyMaterial = "key_material_id"
)

// ErrBadKeySpec is returned for a wrapping key spec byok does not know.
var ErrBadKeySpec = errors.New("wrapping key spec must be RSA_2048, RSA_3072 or RSA_4096")

// MinBits is the RSA modulus size the configured key spec requires.
func MinBits(spec string) (int, error) {
	switch spec {
	case "RSA_2048":
		return 2048, nil
	case "RSA_3072":
		return 3072, nil
	case "RSA_4096":
		return 4096, nil
	}
	return 0, fmt.Errorf("%q: %w", spec, ErrBadKeySpec)
}

// GetParameters fetches a public key and import token for keyID.
func (im *Importer) GetParameters(ctx context.Context, keyID string) (Params, error) {
	out, err := im.KMS.GetParametersForImport(ctx, &kms.GetParametersForImportInput{
		KeyId:             aws.String(keyID),
		WrappingAlgorithm: types.AlgorithmSpec(im.Algorithm.String()),
		WrappingKeySpec:   types.WrappingKeySpec(im.KeySpec),
	})
	if err != nil {
		return Params{}, fmt.Errorf("get parameters for import of %s: %w", keyID, err)
	}
	return Params{KeyID: keyID, PublicKey: out.PublicKey, ImportToken: out.ImportToken,
		ValidTo: aws.ToTime(out.ParametersValidTo)}, nil
}

// Wrap wraps obj inside the HSM under p's public key, refusing a key
// shorter than the configured spec.
func (im *Importer) Wrap(ctx context.Context, obj hsm.Object, p Params) (hsm.Wrapped, error) {
	bits, err := MinBits(im.KeySpec)
	if err != nil {
		return hsm.Wrapped{}, err
	}
	w, err := im.HSM.Wrap(ctx, obj, p.PublicKey, im.Algorithm, bits)
	if err != nil {
		return hsm.Wrapped{}, fmt.Errorf("wrap for %s: %w", p.KeyID, err)
	}
	im.logger().InfoContext(ctx, "wrapped key material", logKeyKey, p.KeyID, logKeyDigest, hex.EncodeToString(w.SHA256[:]))
	return w, nil
}

// Import describes one ImportKeyMaterial call.
type Import struct {
	Type        types.ImportType // NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL
	Description string           // KeyMaterialDescription (byok: the run ID)
	// ValidTo, when set, makes the material expire; nil: does not expire.
	ValidTo *time.Time
	// MaterialID names the material for EXISTING_KEY_MATERIAL re-imports.
	MaterialID string
}

// Import checks the blob digest, then imports it and returns the
// KeyMaterialId KMS assigned.
func (im *Importer) Import(ctx context.Context, p Params, w hsm.Wrapped, spec Import) (string, error) {
	if err := w.Verify(); err != nil {
		return "", fmt.Errorf("import into %s: %w", p.KeyID, err)
	}
	in := &kms.ImportKeyMaterialInput{
		KeyId: aws.String(p.KeyID), ImportToken: p.ImportToken, EncryptedKeyMaterial: w.Blob,
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire, ImportType: spec.Type,
	}
	if spec.Description != "" {
		in.KeyMaterialDescription = aws.String(spec.Description)
	}
	if spec.MaterialID != "" {
		in.KeyMaterialId = aws.String(spec.MaterialID)
	}
	if spec.ValidTo != nil {
		in.ExpirationModel = types.ExpirationModelTypeKeyMaterialExpires
		in.ValidTo = spec.ValidTo
	}
	out, err := im.KMS.ImportKeyMaterial(ctx, in)
	if err != nil {
		return "", fmt.Errorf("import key material into %s: %w", p.KeyID, err)
	}
	id := aws.ToString(out.KeyMaterialId)
	im.logger().InfoContext(ctx, "imported key material", logKeyKey, p.KeyID, logKeyMaterial, id)
	return id, nil
}

// IsTokenExpired reports whether err is KMS's ExpiredImportTokenException:
// fetch new parameters and wrap the same HSM object again.
func IsTokenExpired(err error) bool {
	var e *types.ExpiredImportTokenException
	return errors.As(err, &e)
}

func (im *Importer) logger() *slog.Logger {
	if im.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return im.Logger
}
