package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestImportFirstThenReimportExpired: byok import gives a key without
// material its first material; after that material expires (sandbox clock
// past ValidTo → PendingImport), byok import --reimport brings the same
// material back from the HSM object: Enabled, same KeyMaterialId, and a
// ciphertext made before the expiry decrypts again.
func TestImportFirstThenReimportExpired(t *testing.T) {
	rotShm(t)
	w := newRotWorld(t, nil)
	ctx := context.Background()
	c := w.kms("eu-west-1")
	const alias = "alias/dev/s3"
	keyID := w.awaitingMaterial(t, alias)
	if _, out := w.inproc("plan", "--key", alias); !strings.Contains(out, "import its first material: byok import --key "+alias+"\n") {
		t.Fatalf("byok plan of a key without material does not say how to import it:\n%s", out)
	}
	if code, out := w.inproc("import", "--key", alias, "--valid-for", "2h", "--yes"); code != 0 || !strings.Contains(out, "KeyMaterialId") {
		t.Fatalf("byok import: exit %d\n%s", code, out)
	}
	d := w.describeKey(t, keyID)
	first := aws.ToString(d.CurrentKeyMaterialId)
	if d.KeyState != types.KeyStateEnabled || first == "" {
		t.Fatalf("after first import: %s, material %q", d.KeyState, first)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(alias), Plaintext: []byte("before expiry")})
	if err != nil {
		t.Fatal(err)
	}
	if code, out := w.inproc("import", "--key", alias, "--yes"); code != 0 || !strings.Contains(out, "nothing to import: the key already has key material "+first) {
		t.Fatalf("second first-import: exit %d, want a no-op that says so\n%s", code, out)
	}

	w.sb.AdvanceClock(3 * time.Hour)
	if st := w.describeKey(t, keyID).KeyState; st != types.KeyStatePendingImport {
		t.Fatalf("after ValidTo the key is %s, want PendingImport", st)
	}
	// plan names the material whose imported copy expired, with the remedy
	if _, out := w.inproc("plan", "--key", alias); !strings.Contains(out, "material "+first) || !strings.Contains(out, "is PENDING_IMPORT") ||
		!strings.Contains(out, "byok import --key "+alias+" --reimport --material-id "+first) {
		t.Fatalf("byok plan does not show material %s PENDING_IMPORT with its re-import command:\n%s", first, out)
	}
	if code, out := w.inproc("import", "--key", alias); code == 0 || !strings.Contains(out, "byok import --key "+alias+" --reimport --material-id "+first) {
		t.Fatalf("first import into a key whose material expired: exit %d, want a refusal naming --reimport\n%s", code, out)
	}
	if code, out := w.inproc("import", "--key", alias, "--reimport", "--yes"); code != 0 {
		t.Fatalf("byok import --reimport: exit %d\n%s", code, out)
	}
	d = w.describeKey(t, keyID)
	if d.KeyState != types.KeyStateEnabled || aws.ToString(d.CurrentKeyMaterialId) != first {
		t.Fatalf("after reimport: %s, material %s (want %s)", d.KeyState, aws.ToString(d.CurrentKeyMaterialId), first)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "before expiry" {
		t.Fatalf("old ciphertext after reimport: %v", err)
	}
	if code, out := w.inproc("import", "--key", alias, "--reimport", "--yes"); code != 0 || !strings.Contains(out, "nothing to import: material "+first+" is imported and does not expire") {
		t.Fatalf("second byok import --reimport: exit %d, want a no-op that says so\n%s", code, out)
	}
	w.checkNoPIN(t)
}

// awaitingMaterial points alias at a new EXTERNAL key without material,
// with the key policy of the key the alias targeted (so the consumer
// account may use it), and returns the new key's ID.
func (w *rotWorld) awaitingMaterial(t *testing.T, alias string) string {
	t.Helper()
	ctx := context.Background()
	c := w.kms("eu-west-1")
	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(w.aliasTarget(t, alias))})
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, Policy: pol.Policy,
		Description: aws.String("awaiting material")})
	if err != nil {
		t.Fatal(err)
	}
	keyID := aws.ToString(created.KeyMetadata.KeyId)
	if _, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	return keyID
}

func (w *rotWorld) describeKey(t *testing.T, keyID string) *types.KeyMetadata {
	t.Helper()
	d, err := w.kms("eu-west-1").DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		t.Fatal(err)
	}
	return d.KeyMetadata
}
