//go:build cgo

package keyimport_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// TestRoundTripPerToken: for each real token (SoftHSM2 with OAEP SHA-1,
// NSS softokn with OAEP SHA-256) the HSM wraps fresh material under the
// public key the sandbox's GetParametersForImport returns, the sandbox
// imports it, and the key then encrypts and decrypts; a tampered blob is
// stopped by the digest check before any import.
func TestRoundTripPerToken(t *testing.T) {
	for name, mk := range hsmtest.All() {
		t.Run(name, func(t *testing.T) {
			tok := mk(t)
			ctx := context.Background()
			sb := sandboxrun.NewTest(t, false)
			if err := sb.AddAccount("111111111111", "security"); err != nil {
				t.Fatal(err)
			}
			k := kms.NewFromConfig(sb.Config(ctx, "111111111111"))
			created, err := k.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal})
			if err != nil {
				t.Fatal(err)
			}
			keyID := aws.ToString(created.KeyMetadata.KeyId)
			s, err := hsm.Open(ctx, tok.ParsedURI(t), hsm.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			label := hsm.LabelPrefix + "roundtrip-" + name
			id := sha256.Sum256([]byte(label))
			obj, err := s.GenerateAES256(ctx, label, id[:16])
			if err != nil {
				t.Fatal(err)
			}
			im := &keyimport.Importer{KMS: k, HSM: s, Algorithm: tok.Algorithm, KeySpec: "RSA_4096"}
			p, err := im.GetParameters(ctx, keyID)
			if err != nil {
				t.Fatal(err)
			}
			w, err := im.Wrap(ctx, obj, p)
			if err != nil {
				t.Fatal(err)
			}
			tampered := w
			tampered.Blob = append([]byte(nil), w.Blob...)
			tampered.Blob[0] ^= 1
			if _, err := im.Import(ctx, p, tampered, keyimport.Import{Type: types.ImportTypeNewKeyMaterial}); !errors.Is(err, hsm.ErrDigestMismatch) {
				t.Fatalf("import of a tampered blob = %v, want ErrDigestMismatch before any KMS call", err)
			}
			matID, err := im.Import(ctx, p, w, keyimport.Import{Type: types.ImportTypeNewKeyMaterial, Description: "roundtrip"})
			if err != nil {
				t.Fatal(err)
			}
			d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
			if err != nil || d.KeyMetadata.KeyState != types.KeyStateEnabled || aws.ToString(d.KeyMetadata.CurrentKeyMaterialId) != matID {
				t.Fatalf("after import: %+v, %v; want Enabled on material %s", d, err, matID)
			}
			enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("round trip")})
			if err != nil {
				t.Fatal(err)
			}
			dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
			if err != nil || !bytes.Equal(dec.Plaintext, []byte("round trip")) {
				t.Fatalf("decrypt = %q, %v", dec.Plaintext, err)
			}
		})
	}
}
