package kmssvc_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func TestCryptographicOperations(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
		noErr(t, err)
		id, arn := *out.KeyMetadata.KeyId, *out.KeyMetadata.Arn
		ec := map[string]string{"service": "s3", "env": "prod"}
		enc, err := h.a.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("secret"), EncryptionContext: ec})
		noErr(t, err)
		if *enc.KeyId != arn || enc.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
			t.Fatalf("encrypt output %+v", enc)
		}
		_, err = h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"service": "s3"}})
		wantErr[*types.InvalidCiphertextException](t, err)
		dec, err := h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
		noErr(t, err)
		if string(dec.Plaintext) != "secret" || *dec.KeyId != arn {
			t.Fatalf("decrypt %+v", dec)
		}
		tampered := append([]byte(nil), enc.CiphertextBlob...)
		tampered[len(tampered)-1] ^= 1
		_, err = h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: tampered, EncryptionContext: ec})
		wantErr[*types.InvalidCiphertextException](t, err)

		other, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
		noErr(t, err)
		_, err = h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: other.KeyMetadata.KeyId})
		wantErr[*types.IncorrectKeyException](t, err)

		gdk, err := h.a.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &id, KeySpec: types.DataKeySpecAes256})
		noErr(t, err)
		if len(gdk.Plaintext) != 32 {
			t.Fatalf("data key %d bytes", len(gdk.Plaintext))
		}
		back, err := h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: gdk.CiphertextBlob})
		noErr(t, err)
		if string(back.Plaintext) != string(gdk.Plaintext) {
			t.Fatal("data key does not decrypt to its plaintext")
		}
		wp, err := h.a.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: &id, NumberOfBytes: aws.Int32(16)})
		noErr(t, err)
		re, err := h.a.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: wp.CiphertextBlob, DestinationKeyId: other.KeyMetadata.KeyId})
		noErr(t, err)
		if *re.SourceKeyId != arn || *re.KeyId != *other.KeyMetadata.Arn {
			t.Fatalf("reencrypt %+v", re)
		}
		final, err := h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob})
		noErr(t, err)
		if len(final.Plaintext) != 16 {
			t.Fatalf("re-encrypted data key has %d bytes", len(final.Plaintext))
		}
		_, err = h.a.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("x"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
		wantErr[*types.InvalidKeyUsageException](t, err)
	})
}

func TestAliases(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		name := h.alias("prod-s3")
		k1, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
		noErr(t, err)
		k2, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
		noErr(t, err)
		_, err = h.a.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: k1.KeyMetadata.KeyId})
		noErr(t, err)
		_, err = h.a.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: k2.KeyMetadata.KeyId})
		wantErr[*types.AlreadyExistsException](t, err)
		_, err = h.a.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/s3"), TargetKeyId: k2.KeyMetadata.KeyId})
		wantErr[*types.InvalidAliasNameException](t, err)
		aliasARN := "arn:aws:kms:" + h.reg + ":" + h.accA + ":" + name
		for _, ref := range []string{name, aliasARN} {
			enc, err := h.a.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(ref), Plaintext: []byte("x")})
			noErr(t, err)
			if *enc.KeyId != *k1.KeyMetadata.Arn {
				t.Fatalf("%s resolved to %s", ref, *enc.KeyId)
			}
		}
		_, err = h.a.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(name), Tags: []types.Tag{}})
		wantErr[*types.NotFoundException](t, err)
		_, err = h.a.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(name), TargetKeyId: k2.KeyMetadata.KeyId})
		noErr(t, err)
		if got := *describe(t, h.a, name).KeyId; got != *k2.KeyMetadata.KeyId {
			t.Fatalf("alias after update -> %s", got)
		}
		byK2, err := h.a.ListAliases(ctx, &kms.ListAliasesInput{KeyId: k2.KeyMetadata.KeyId})
		noErr(t, err)
		if len(byK2.Aliases) != 1 || aws.ToString(byK2.Aliases[0].AliasName) != name || aws.ToString(byK2.Aliases[0].AliasArn) != aliasARN {
			t.Fatalf("aliases of k2 after update: %+v", byK2.Aliases)
		}
		const emptyAccount = "a test account on AWS holds other aliases; the sandbox account starts with none"
		t.Run("no AWS managed alias before one is used", func(t *testing.T) {
			h.sandbox(t, emptyAccount)
			wantAliases(t, h.a, 1)
		})
		managed := describe(t, h.a, "alias/aws/s3")
		if managed.KeyManager != types.KeyManagerTypeAws {
			t.Fatalf("alias/aws/s3 key manager %s", managed.KeyManager)
		}
		t.Run("the AWS managed alias is listed once used", func(t *testing.T) {
			h.sandbox(t, emptyAccount)
			wantAliases(t, h.a, 2)
		})
		byKey, err := h.a.ListAliases(ctx, &kms.ListAliasesInput{KeyId: k1.KeyMetadata.KeyId})
		noErr(t, err)
		if len(byKey.Aliases) != 0 {
			t.Fatalf("aliases of k1 after update: %+v", byKey.Aliases)
		}
		_, err = h.a.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(name)})
		noErr(t, err)
		_, err = h.a.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(name)})
		e := wantErr[*types.NotFoundException](t, err)
		if e.ErrorMessage() != "Alias "+aliasARN+" is not found." {
			t.Fatalf("message %q", e.ErrorMessage())
		}
	})
}

func wantAliases(t *testing.T, c *kms.Client, n int) {
	t.Helper()
	listed, err := c.ListAliases(ctx, &kms.ListAliasesInput{})
	noErr(t, err)
	if len(listed.Aliases) != n {
		t.Fatalf("ListAliases = %+v, want %d", listed.Aliases, n)
	}
}
