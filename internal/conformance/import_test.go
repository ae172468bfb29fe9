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

	"github.com/byok-dev/byok/internal/conformance"
)

// The import semantics byok's rotation is built on: an EXTERNAL key waits
// in PendingImport; import parameters are valid 24 hours; an import token
// works only for the key it was issued for; material wrapped with
// RSAES_OAEP_SHA_256 under the key's RSA_4096 public key imports and the
// key encrypts. The material here is random bytes wrapped in software (a
// test key, not HSM material). On AWS this creates two KMS keys and
// schedules their deletion (7 days, the minimum) at the end.
func TestImportSemantics(t *testing.T) {
	conformance.Each(t, func(t *testing.T, tg *conformance.Target) {
		ctx := context.Background()
		c := kms.NewFromConfig(tg.Config)
		a, b := externalKey(t, c), externalKey(t, c)
		params, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: aws.String(a),
			WrappingAlgorithm: ktypes.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: ktypes.WrappingKeySpecRsa4096})
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Until(aws.ToTime(params.ParametersValidTo)); d < 23*time.Hour || d > 25*time.Hour {
			t.Errorf("%s: parameters valid for %v, want 24 h", tg.Name, d)
		}
		wrapped := wrap(t, params.PublicKey)
		_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: aws.String(b), ImportToken: params.ImportToken,
			EncryptedKeyMaterial: wrapped, ExpirationModel: ktypes.ExpirationModelTypeKeyMaterialDoesNotExpire})
		if code(err) != "InvalidImportTokenException" {
			t.Fatalf("%s: another key's import token: err = %v, want InvalidImportTokenException", tg.Name, err)
		}
		_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: aws.String(a), ImportToken: params.ImportToken,
			EncryptedKeyMaterial: wrapped, ExpirationModel: ktypes.ExpirationModelTypeKeyMaterialDoesNotExpire})
		if err != nil {
			t.Fatalf("%s: import: %v", tg.Name, err)
		}
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(a)})
		if err != nil || d.KeyMetadata.KeyState != ktypes.KeyStateEnabled {
			t.Fatalf("%s: after import: %+v, %v; want Enabled", tg.Name, d, err)
		}
		enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(a), Plaintext: []byte("canary")})
		if err != nil {
			t.Fatal(err)
		}
		dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
		if err != nil || !bytes.Equal(dec.Plaintext, []byte("canary")) || aws.ToString(dec.KeyId) != aws.ToString(d.KeyMetadata.Arn) {
			t.Fatalf("%s: decrypt: %v (key %s)", tg.Name, err, aws.ToString(dec.KeyId))
		}
	})
}

// externalKey creates an EXTERNAL-origin key, PendingImport, whose
// deletion is scheduled when the test ends.
func externalKey(t *testing.T, c *kms.Client) string {
	t.Helper()
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Origin: ktypes.OriginTypeExternal,
		Description: aws.String("byok conformance test key; scheduled for deletion by the test")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.KeyMetadata.KeyId)
	t.Cleanup(func() {
		_, err := c.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)})
		if err != nil {
			t.Errorf("schedule deletion of %s: %v (schedule it by hand)", id, err)
		}
	})
	if out.KeyMetadata.KeyState != ktypes.KeyStatePendingImport {
		t.Fatalf("new EXTERNAL key is %s, want PendingImport", out.KeyMetadata.KeyState)
	}
	return id
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
