package backend

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// ImportedKey creates an EXTERNAL symmetric key in account (tagged with
// the run, deletion scheduled when the test ends) and imports fresh
// material: 32 random bytes wrapped in software with RSAES_OAEP_SHA_256
// under the RSA_4096 wrapping key KMS returns, without expiry. The key
// comes back Enabled. The material is a test key that lives only in this
// function's memory, never an HSM's.
func (b *Backend) ImportedKey(t testing.TB, account string) *ktypes.KeyMetadata {
	t.Helper()
	ctx := context.Background()
	md := b.KMSKey(t, account, &kms.CreateKeyInput{Origin: ktypes.OriginTypeExternal})
	c := kms.NewFromConfig(b.Config(t, account))
	p, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: md.KeyId,
		WrappingAlgorithm: ktypes.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: ktypes.WrappingKeySpecRsa4096})
	if err != nil {
		t.Fatalf("%s: get parameters for import: %v", b.Name(), err)
	}
	wrapped, err := wrapRandom(p.PublicKey)
	if err != nil {
		t.Fatalf("%s: wrap material: %v", b.Name(), err)
	}
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: md.KeyId, ImportToken: p.ImportToken,
		EncryptedKeyMaterial: wrapped, ExpirationModel: ktypes.ExpirationModelTypeKeyMaterialDoesNotExpire})
	if err != nil {
		t.Fatalf("%s: import key material: %v", b.Name(), err)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	if err != nil || d.KeyMetadata.KeyState != ktypes.KeyStateEnabled {
		t.Fatalf("%s: key %s after import: %v (state %v), want Enabled", b.Name(), aws.ToString(md.KeyId), err, d)
	}
	return d.KeyMetadata
}

// wrapRandom encrypts 32 random bytes with RSAES-OAEP SHA-256 under the
// DER public key KMS returned.
func wrapRandom(der []byte) ([]byte, error) {
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, err
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, errNotRSA
	}
	material := make([]byte, 32)
	if _, err := rand.Read(material); err != nil {
		return nil, err
	}
	return rsa.EncryptOAEP(sha256.New(), rand.Reader, rk, material, nil)
}
