package kmssvc_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

var materialIDRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestImportEveryWrappingAlgorithm(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		cases := map[string]importOpts{
			"OAEP SHA-1 RSA_2048":        {alg: types.AlgorithmSpecRsaesOaepSha1},
			"OAEP SHA-256 RSA_3072":      {alg: types.AlgorithmSpecRsaesOaepSha256, spec: types.WrappingKeySpecRsa3072},
			"AES key wrap SHA-1":         {alg: types.AlgorithmSpecRsaAesKeyWrapSha1},
			"AES key wrap SHA-256":       {alg: types.AlgorithmSpecRsaAesKeyWrapSha256},
			"OAEP SHA-256 RSA_4096 pool": {alg: types.AlgorithmSpecRsaesOaepSha256, spec: types.WrappingKeySpecRsa4096},
		}
		for name, o := range cases {
			t.Run(name, func(t *testing.T) {
				id := newExternalKey(t, h.a, false)
				if st := describe(t, h.a, id).KeyState; st != types.KeyStatePendingImport {
					t.Fatalf("new EXTERNAL key state = %s, want PendingImport", st)
				}
				out, err := importMaterial(t, h.a, id, randomMaterial(t, 32), o)
				noErr(t, err)
				if !materialIDRE.MatchString(*out.KeyMaterialId) {
					t.Fatalf("KeyMaterialId %q is not 64 hex digits", *out.KeyMaterialId)
				}
				md := describe(t, h.a, id)
				if md.KeyState != types.KeyStateEnabled || *md.CurrentKeyMaterialId != *out.KeyMaterialId {
					t.Fatalf("after import: state %s current %v, want Enabled %s", md.KeyState, aws.ToString(md.CurrentKeyMaterialId), *out.KeyMaterialId)
				}
				if md.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire || md.Origin != types.OriginTypeExternal {
					t.Fatalf("metadata %+v", md)
				}
				ct := encryptWith(t, h.a, id, []byte("canary"))
				dec, err := h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
				noErr(t, err)
				if string(dec.Plaintext) != "canary" {
					t.Fatalf("decrypt = %q", dec.Plaintext)
				}
			})
		}
	})
}

func TestImportErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		inAYear := time.Now().Add(366 * 24 * time.Hour)
		cases := map[string]struct {
			run  func(t *testing.T, id string) error
			want func(t *testing.T, err error)
		}{
			"token of another key": {
				run: func(t *testing.T, id string) error {
					other := newExternalKey(t, h.a, false)
					p := params(t, h.a, other, importOpts{})
					_, err := h.a.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken,
						EncryptedKeyMaterial: wrap(t, p.PublicKey, types.AlgorithmSpecRsaesOaepSha256, randomMaterial(t, 32)),
						ExpirationModel:      types.ExpirationModelTypeKeyMaterialDoesNotExpire})
					return err
				},
				want: func(t *testing.T, err error) { wantErr[*types.InvalidImportTokenException](t, err) },
			},
			"tampered token": {
				run: func(t *testing.T, id string) error {
					p := params(t, h.a, id, importOpts{})
					p.ImportToken[len(p.ImportToken)/2] ^= 1
					_, err := h.a.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken,
						EncryptedKeyMaterial: wrap(t, p.PublicKey, types.AlgorithmSpecRsaesOaepSha256, randomMaterial(t, 32)),
						ExpirationModel:      types.ExpirationModelTypeKeyMaterialDoesNotExpire})
					return err
				},
				want: func(t *testing.T, err error) { wantErr[*types.InvalidImportTokenException](t, err) },
			},
			"wrong wrapping algorithm": {
				run: func(t *testing.T, id string) error {
					p := params(t, h.a, id, importOpts{alg: types.AlgorithmSpecRsaesOaepSha256})
					_, err := h.a.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken,
						EncryptedKeyMaterial: wrap(t, p.PublicKey, types.AlgorithmSpecRsaesOaepSha1, randomMaterial(t, 32)),
						ExpirationModel:      types.ExpirationModelTypeKeyMaterialDoesNotExpire})
					return err
				},
				want: func(t *testing.T, err error) { wantErr[*types.InvalidCiphertextException](t, err) },
			},
			"wrong material size": {
				run: func(t *testing.T, id string) error {
					_, err := importMaterial(t, h.a, id, randomMaterial(t, 16), importOpts{})
					return err
				},
				want: func(t *testing.T, err error) { wantErr[*types.IncorrectKeyMaterialException](t, err) },
			},
			"ValidTo beyond 365 days": {
				run: func(t *testing.T, id string) error {
					_, err := importMaterial(t, h.a, id, randomMaterial(t, 32), importOpts{validTo: &inAYear})
					return err
				},
				want: func(t *testing.T, err error) { wantAPICode(t, err, "ValidationException") },
			},
			"RSAES_PKCS1_V1_5 refused": {
				run: func(t *testing.T, id string) error {
					_, err := h.a.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: &id,
						WrappingAlgorithm: types.AlgorithmSpecRsaesPkcs1V15, WrappingKeySpec: types.WrappingKeySpecRsa2048})
					return err
				},
				want: func(t *testing.T, err error) { wantAPICode(t, err, "ValidationException") },
			},
			"existing import of unknown material": {
				run: func(t *testing.T, id string) error {
					_, err := importMaterial(t, h.a, id, randomMaterial(t, 32), importOpts{})
					noErr(t, err)
					_, err = importMaterial(t, h.a, id, randomMaterial(t, 32), importOpts{importType: types.ImportTypeExistingKeyMaterial})
					return err
				},
				want: func(t *testing.T, err error) { wantErr[*types.IncorrectKeyMaterialException](t, err) },
			},
			"pending material conflict": {
				run: func(t *testing.T, id string) error {
					_, err := importMaterial(t, h.a, id, randomMaterial(t, 32), importOpts{})
					noErr(t, err)
					_, err = importMaterial(t, h.a, id, randomMaterial(t, 32), importOpts{importType: types.ImportTypeNewKeyMaterial})
					noErr(t, err)
					_, err = importMaterial(t, h.a, id, randomMaterial(t, 32), importOpts{importType: types.ImportTypeNewKeyMaterial})
					return err
				},
				want: func(t *testing.T, err error) { wantErr[*types.KMSInvalidStateException](t, err) },
			},
			"import into an AWS_KMS key": {
				run: func(t *testing.T, _ string) error {
					out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
					noErr(t, err)
					_, err = h.a.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: out.KeyMetadata.KeyId,
						WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048})
					return err
				},
				want: func(t *testing.T, err error) { wantErr[*types.UnsupportedOperationException](t, err) },
			},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				tc.want(t, tc.run(t, newExternalKey(t, h.a, false)))
			})
		}
	})
}

func TestExpiredImportToken(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		clock := h.sandbox(t, "an import token expires after 24 hours: the sandbox clock advances 25 hours").Env.Clock
		id := newExternalKey(t, h.a, false)
		p := params(t, h.a, id, importOpts{})
		clock.Advance(25 * time.Hour)
		_, err := h.a.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken,
			EncryptedKeyMaterial: wrap(t, p.PublicKey, types.AlgorithmSpecRsaesOaepSha256, randomMaterial(t, 32)),
			ExpirationModel:      types.ExpirationModelTypeKeyMaterialDoesNotExpire})
		wantErr[*types.ExpiredImportTokenException](t, err)
		if got := p.ParametersValidTo.Sub(clock.Now().Add(-25 * time.Hour)); got < 23*time.Hour || got > 25*time.Hour {
			t.Fatalf("ParametersValidTo is %v after issue, want 24h", got)
		}
	})
}

func TestExpiredMaterialGoesPendingImportAndReimports(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		clock := h.sandbox(t, "material expiring at its ValidTo: the sandbox clock sets ValidTo and advances past it").Env.Clock
		id := newExternalKey(t, h.a, false)
		mat := randomMaterial(t, 32)
		validTo := clock.Now().Add(time.Hour)
		first, err := importMaterial(t, h.a, id, mat, importOpts{validTo: &validTo, desc: aws.String("run-1")})
		noErr(t, err)
		md := describe(t, h.a, id)
		if md.ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires || md.ValidTo == nil {
			t.Fatalf("metadata after expiring import: %+v", md)
		}
		ct := encryptWith(t, h.a, id, []byte("before expiry"))
		clock.Advance(2 * time.Hour)
		if st := describe(t, h.a, id).KeyState; st != types.KeyStatePendingImport {
			t.Fatalf("state after ValidTo = %s, want PendingImport", st)
		}
		_, err = h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
		wantErr[*types.KMSInvalidStateException](t, err)
		if r := rotations(t, h.a, id); len(r) != 1 || r[0].ImportState != types.ImportStatePendingImport || aws.ToString(r[0].KeyMaterialDescription) != "run-1" {
			t.Fatalf("rotations after expiry: %+v", r)
		}
		again, err := importMaterial(t, h.a, id, mat, importOpts{importType: types.ImportTypeExistingKeyMaterial})
		noErr(t, err)
		if *again.KeyMaterialId != *first.KeyMaterialId {
			t.Fatalf("reimport gave KeyMaterialId %s, want %s", *again.KeyMaterialId, *first.KeyMaterialId)
		}
		if st := describe(t, h.a, id).KeyState; st != types.KeyStateEnabled {
			t.Fatalf("state after reimport = %s", st)
		}
		dec, err := h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
		noErr(t, err)
		if string(dec.Plaintext) != "before expiry" {
			t.Fatalf("decrypt = %q", dec.Plaintext)
		}
	})
}

func TestDeleteImportedKeyMaterial(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		id := newExternalKey(t, h.a, false)
		mat := randomMaterial(t, 32)
		_, err := importMaterial(t, h.a, id, mat, importOpts{})
		noErr(t, err)
		ct := encryptWith(t, h.a, id, []byte("x"))
		del, err := h.a.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: &id})
		noErr(t, err)
		if st := describe(t, h.a, id).KeyState; st != types.KeyStatePendingImport {
			t.Fatalf("state after delete = %s", st)
		}
		_, err = h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
		wantErr[*types.KMSInvalidStateException](t, err)
		_, err = h.a.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: &id, KeyMaterialId: aws.String("00")})
		wantErr[*types.NotFoundException](t, err)
		out, err := importMaterial(t, h.a, id, mat, importOpts{importType: types.ImportTypeExistingKeyMaterial, spec: types.WrappingKeySpecRsa2048})
		noErr(t, err)
		if *out.KeyMaterialId != *del.KeyMaterialId {
			t.Fatalf("reimport id %s, want %s", *out.KeyMaterialId, *del.KeyMaterialId)
		}
		_, err = h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
		noErr(t, err)
	})
}
