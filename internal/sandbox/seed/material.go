package seed

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The seed wraps with OAEP SHA-256 under RSA_2048: it plays an HSM of the
// past, and a 2048-bit wrapping key keeps the seed fast. byok's own
// rotations use the estate's wrapping policy.
const (
	seedWrapping = types.AlgorithmSpecRsaesOaepSha256
	seedSpec     = types.WrappingKeySpecRsa2048
)

// material is 32 bytes of key material, held only in memory. It has no
// String method and is zeroed by destroy.
type material struct{ b []byte }

func newMaterial() (*material, error) {
	m := &material{b: make([]byte, 32)}
	if _, err := rand.Read(m.b); err != nil {
		return nil, fmt.Errorf("generate key material: %w", err)
	}
	return m, nil
}

func (m *material) destroy() { clear(m.b) }

// importMaterial fetches import parameters, wraps the material under the
// returned public key and imports it. validTo zero means the material does
// not expire. It returns the KeyMaterialId.
func importMaterial(ctx context.Context, c *kms.Client, keyID string, m *material, validTo time.Time, typ types.ImportType) (string, error) {
	params, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: aws.String(keyID),
		WrappingAlgorithm: seedWrapping, WrappingKeySpec: seedSpec})
	if err != nil {
		return "", fmt.Errorf("get parameters for import: %w", err)
	}
	pub, err := x509.ParsePKIXPublicKey(params.PublicKey)
	if err != nil {
		return "", fmt.Errorf("parse wrapping public key: %w", err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		return "", fmt.Errorf("wrapping public key is %T, not RSA", pub)
	}
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, rsaPub, m.b, nil)
	if err != nil {
		return "", fmt.Errorf("wrap key material: %w", err)
	}
	in := &kms.ImportKeyMaterialInput{KeyId: aws.String(keyID), ImportToken: params.ImportToken,
		EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire,
		ImportType: typ, KeyMaterialDescription: aws.String("byok seed: initial material")}
	if !validTo.IsZero() {
		in.ExpirationModel, in.ValidTo = types.ExpirationModelTypeKeyMaterialExpires, aws.Time(validTo)
	}
	out, err := c.ImportKeyMaterial(ctx, in)
	if err != nil {
		return "", fmt.Errorf("import key material: %w", err)
	}
	return aws.ToString(out.KeyMaterialId), nil
}
