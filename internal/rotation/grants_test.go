package rotation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
)

// TestNewKeyCopiesGrants: an account the key policy does not name uses the
// key through a grant; after a new-key rotation it still encrypts through
// the alias, because the grant was copied to the new key (once).
func TestNewKeyCopiesGrants(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	k := w.key(t, "alias/dev/s3")
	const analytics = "444444444444"
	if err := w.sb.AddAccount(analytics, "analytics"); err != nil {
		t.Fatal(err)
	}
	sec := w.admin(w.est.SecurityAccount, k.Region)
	old := w.describe(t, k.AliasARN(), k.Region)
	encCtx := map[string]string{"app": "analytics"}
	_, err := sec.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: old.Arn, GranteePrincipal: aws.String("arn:aws:iam::" + analytics + ":root"),
		Operations:  []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: encCtx}})
	if err != nil {
		t.Fatal(err)
	}
	user := w.admin(analytics, k.Region)
	encrypt := func() error {
		_, err := user.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(k.AliasARN()), Plaintext: []byte("x"), EncryptionContext: encCtx})
		return err
	}
	if err := encrypt(); err != nil {
		t.Fatalf("grantee before rotation: %v", err)
	}
	if _, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyNewKey, ChangeRef: "CHG-grants"}); err != nil {
		t.Fatalf("new-key rotation: %v\n%s", err, w.logs)
	}
	now := w.describe(t, k.AliasARN(), k.Region)
	if aws.ToString(now.Arn) == aws.ToString(old.Arn) {
		t.Fatal("the alias did not move")
	}
	if err := encrypt(); err != nil {
		t.Fatalf("grantee through the alias after the new-key rotation: %v", err)
	}
	gs, err := sec.ListGrants(ctx, &kms.ListGrantsInput{KeyId: now.Arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(gs.Grants) != 1 || !strings.HasPrefix(aws.ToString(gs.Grants[0].Name), "byok-copy-") ||
		gs.Grants[0].Constraints == nil || gs.Grants[0].Constraints.EncryptionContextSubset["app"] != "analytics" {
		t.Fatalf("grants on the new key: %+v", gs.Grants)
	}
}
