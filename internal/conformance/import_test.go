package conformance_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/conformance/backend"
)

// The import semantics byok's rotation is built on: an EXTERNAL key waits
// in PendingImport; import parameters are valid 24 hours; an import token
// works only for the key it was issued for; material wrapped with
// RSAES_OAEP_SHA_256 under the key's RSA_4096 public key imports and the
// key encrypts. The material here is random bytes wrapped in software (a
// test key, not HSM material). On AWS this creates two KMS keys and
// schedules their deletion (7 days, the minimum) at the end.
func TestImportSemantics(t *testing.T) {
	backend.Each(t, func(t *testing.T, b *backend.Backend) {
		ctx := context.Background()
		c := kms.NewFromConfig(b.Config(t, b.Security))
		ka, kb := externalKey(t, b), externalKey(t, b)
		params, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: aws.String(ka),
			WrappingAlgorithm: ktypes.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: ktypes.WrappingKeySpecRsa4096})
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Until(aws.ToTime(params.ParametersValidTo)); d < 23*time.Hour || d > 25*time.Hour {
			t.Errorf("%s: parameters valid for %v, want 24 h", b.Name(), d)
		}
		wrapped := wrap(t, params.PublicKey)
		_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: aws.String(kb), ImportToken: params.ImportToken,
			EncryptedKeyMaterial: wrapped, ExpirationModel: ktypes.ExpirationModelTypeKeyMaterialDoesNotExpire})
		if code(err) != "InvalidImportTokenException" {
			t.Fatalf("%s: another key's import token: err = %v, want InvalidImportTokenException", b.Name(), err)
		}
		_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: aws.String(ka), ImportToken: params.ImportToken,
			EncryptedKeyMaterial: wrapped, ExpirationModel: ktypes.ExpirationModelTypeKeyMaterialDoesNotExpire})
		if err != nil {
			t.Fatalf("%s: import: %v", b.Name(), err)
		}
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ka)})
		if err != nil || d.KeyMetadata.KeyState != ktypes.KeyStateEnabled {
			t.Fatalf("%s: after import: %+v, %v; want Enabled", b.Name(), d, err)
		}
		enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(ka), Plaintext: []byte("canary")})
		if err != nil {
			t.Fatal(err)
		}
		dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
		if err != nil || !bytes.Equal(dec.Plaintext, []byte("canary")) || aws.ToString(dec.KeyId) != aws.ToString(d.KeyMetadata.Arn) {
			t.Fatalf("%s: decrypt: %v (key %s)", b.Name(), err, aws.ToString(dec.KeyId))
		}
	})
}

// externalKey creates an EXTERNAL-origin key, PendingImport, tagged with
// the run and scheduled for deletion when the test ends.
func externalKey(t *testing.T, b *backend.Backend) string {
	t.Helper()
	md := b.KMSKey(t, b.Security, &kms.CreateKeyInput{Origin: ktypes.OriginTypeExternal})
	if md.KeyState != ktypes.KeyStatePendingImport {
		t.Fatalf("%s: new EXTERNAL key is %s, want PendingImport", b.Name(), md.KeyState)
	}
	return aws.ToString(md.KeyId)
}

// wrap encrypts 32 random bytes with RSAES-OAEP SHA-256 under the DER
// public key KMS returned.
func wrap(t *testing.T, der []byte) []byte {
	t.Helper()
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok || rk.N.BitLen() != 4096 {
		t.Fatalf("wrapping key is %T, want RSA 4096", pub)
	}
	material := make([]byte, 32)
	_, _ = rand.Read(material)
	out, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, rk, material, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
