package kmssvc_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

var canaryCtx = map[string]string{"purpose": "canary"}

// TestGrantAuthorizesWhatPolicyDoesNot: a role in account B that the key
// policy does not name uses A's key through a grant, only for the granted
// operations, only with the constrained encryption context, only until the
// grant is revoked; an explicit Deny in the policy still wins.
func TestGrantAuthorizesWhatPolicyDoesNot(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	keyARN := *out.KeyMetadata.Arn
	app, appARN := h.roleClient(t, acctB, "app")
	other, _ := h.roleClient(t, acctB, "other")
	encrypt := func(c *kms.Client, encCtx map[string]string) error {
		_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &keyARN, Plaintext: []byte("x"), EncryptionContext: encCtx})
		return err
	}
	wantDenied(t, encrypt(app, canaryCtx))

	g, err := h.a.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: &keyARN, GranteePrincipal: &appARN,
		Operations:  []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationDecrypt, types.GrantOperationDescribeKey},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: canaryCtx}})
	noErr(t, err)
	if len(*g.GrantId) != 64 || *g.GrantToken == "" {
		t.Fatalf("CreateGrant answered %q / %q", *g.GrantId, *g.GrantToken)
	}
	noErr(t, encrypt(app, map[string]string{"purpose": "canary", "extra": "ok"}))
	wantDenied(t, encrypt(app, map[string]string{"purpose": "other"}))
	wantDenied(t, encrypt(app, nil))
	wantDenied(t, encrypt(other, canaryCtx))
	_, err = app.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &keyARN}) // constraints do not apply
	noErr(t, err)
	_, err = app.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &keyARN, KeySpec: types.DataKeySpecAes256, EncryptionContext: canaryCtx})
	wantDenied(t, err)
	_, err = app.Encrypt(ctx, &kms.EncryptInput{KeyId: &keyARN, Plaintext: []byte("x"), EncryptionContext: canaryCtx,
		GrantTokens: []string{*g.GrantToken}})
	noErr(t, err)

	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Deny","Principal":{"AWS":"` + appARN + `"},"Action":"kms:Encrypt","Resource":"*"}]}`
	_, err = h.a.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &keyARN, Policy: &deny})
	noErr(t, err)
	e := wantDenied(t, encrypt(app, canaryCtx))
	if !strings.Contains(e.ErrorMessage(), "explicit deny") {
		t.Fatalf("deny message %q", e.ErrorMessage())
	}
	_, err = h.a.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &keyARN, Policy: aws.String(defaultPolicyA)})
	noErr(t, err)
	noErr(t, encrypt(app, canaryCtx))

	_, err = h.a.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: &keyARN, GrantId: g.GrantId})
	noErr(t, err)
	wantDenied(t, encrypt(app, canaryCtx))
	_, err = h.a.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: &keyARN, GrantId: g.GrantId})
	wantErr[*types.NotFoundException](t, err)
}

const defaultPolicyA = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}]}`

// TestGrantEncryptionContextEquals: Equals needs the exact context, and
// Decrypt through a grant is checked against the Decrypt request's context.
func TestGrantEncryptionContextEquals(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	keyARN := *out.KeyMetadata.Arn
	app, appARN := h.roleClient(t, acctB, "app")
	_, err = h.a.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: &keyARN, GranteePrincipal: &appARN,
		Operations:  []types.GrantOperation{types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{EncryptionContextEquals: canaryCtx}})
	noErr(t, err)
	exact, err := h.a.Encrypt(ctx, &kms.EncryptInput{KeyId: &keyARN, Plaintext: []byte("x"), EncryptionContext: canaryCtx})
	noErr(t, err)
	wider := map[string]string{"purpose": "canary", "more": "1"}
	more, err := h.a.Encrypt(ctx, &kms.EncryptInput{KeyId: &keyARN, Plaintext: []byte("x"), EncryptionContext: wider})
	noErr(t, err)
	_, err = app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: exact.CiphertextBlob, EncryptionContext: canaryCtx})
	noErr(t, err)
	_, err = app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: more.CiphertextBlob, EncryptionContext: wider})
	wantDenied(t, err)
}

// TestGrantFromGrant: a principal whose CreateGrant permission comes from a
// grant can only create grants no wider than its own.
func TestGrantFromGrant(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	keyARN := *out.KeyMetadata.Arn
	app, appARN := h.roleClient(t, acctB, "app")
	_, workerARN := h.roleClient(t, acctB, "worker")
	_, err = h.a.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: &keyARN, GranteePrincipal: &appARN,
		Operations:  []types.GrantOperation{types.GrantOperationCreateGrant, types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: canaryCtx}})
	noErr(t, err)
	cases := map[string]struct {
		ops  []types.GrantOperation
		c    *types.GrantConstraints
		deny bool
	}{
		"stricter subset":      {[]types.GrantOperation{types.GrantOperationDecrypt}, &types.GrantConstraints{EncryptionContextSubset: map[string]string{"purpose": "canary", "run": "1"}}, false},
		"equals including it":  {[]types.GrantOperation{types.GrantOperationDecrypt}, &types.GrantConstraints{EncryptionContextEquals: canaryCtx}, false},
		"operation not held":   {[]types.GrantOperation{types.GrantOperationEncrypt}, &types.GrantConstraints{EncryptionContextSubset: canaryCtx}, true},
		"no constraint":        {[]types.GrantOperation{types.GrantOperationDecrypt}, nil, true},
		"different constraint": {[]types.GrantOperation{types.GrantOperationDecrypt}, &types.GrantConstraints{EncryptionContextSubset: map[string]string{"purpose": "x"}}, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := app.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: &keyARN, GranteePrincipal: &workerARN, Operations: tc.ops, Constraints: tc.c})
			if tc.deny {
				wantDenied(t, err)
			} else {
				noErr(t, err)
			}
		})
	}
}

// TestCreateGrantErrors asserts which error each bad request gets.
func TestCreateGrantErrors(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	keyID, keyARN := *out.KeyMetadata.KeyId, *out.KeyMetadata.Arn
	disabled, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	_, err = h.a.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled.KeyMetadata.KeyId})
	noErr(t, err)
	pending := newExternalKey(t, h.a, false)
	_, err = h.a.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/g"), TargetKeyId: &keyID})
	noErr(t, err)
	grantee := "arn:aws:iam::" + acctB + ":role/app"
	dec := []types.GrantOperation{types.GrantOperationDecrypt}
	in := func(mod func(*kms.CreateGrantInput)) *kms.CreateGrantInput {
		i := &kms.CreateGrantInput{KeyId: aws.String(keyID), GranteePrincipal: aws.String(grantee), Operations: dec}
		mod(i)
		return i
	}
	eight := map[string]string{}
	for _, k := range strings.Split("a b c d e f g h i", " ") {
		eight[k] = "v"
	}
	cases := map[string]struct {
		in   *kms.CreateGrantInput
		code string
	}{
		"no grantee":             {in(func(i *kms.CreateGrantInput) { i.GranteePrincipal = nil }), "ValidationException"},
		"empty operations":       {in(func(i *kms.CreateGrantInput) { i.Operations = []types.GrantOperation{} }), "ValidationException"},
		"unknown operation":      {in(func(i *kms.CreateGrantInput) { i.Operations = []types.GrantOperation{"Rotate"} }), "ValidationException"},
		"Sign on symmetric key":  {in(func(i *kms.CreateGrantInput) { i.Operations = []types.GrantOperation{types.GrantOperationSign} }), "ValidationException"},
		"principal not an ARN":   {in(func(i *kms.CreateGrantInput) { i.GranteePrincipal = aws.String("bob") }), "ValidationException"},
		"bad retiring principal": {in(func(i *kms.CreateGrantInput) { i.RetiringPrincipal = aws.String("arn:aws:s3:::b") }), "ValidationException"},
		"bad name":               {in(func(i *kms.CreateGrantInput) { i.Name = aws.String("a name") }), "ValidationException"},
		"nine context pairs":     {in(func(i *kms.CreateGrantInput) { i.Constraints = &types.GrantConstraints{EncryptionContextSubset: eight} }), "ValidationException"},
		"service principal": {in(func(i *kms.CreateGrantInput) {
			i.GranteePrincipal, i.GranteeServicePrincipal = nil, aws.String("s3.amazonaws.com")
		}), "UnsupportedOperationException"},
		"alias is not a key": {in(func(i *kms.CreateGrantInput) { i.KeyId = aws.String("alias/g") }), "NotFoundException"},
		"unknown key":        {in(func(i *kms.CreateGrantInput) { i.KeyId = aws.String(keyARN[:len(keyARN)-4] + "ffff") }), "NotFoundException"},
		"disabled key":       {in(func(i *kms.CreateGrantInput) { i.KeyId = disabled.KeyMetadata.KeyId }), "DisabledException"},
		"pending import":     {in(func(i *kms.CreateGrantInput) { i.KeyId = aws.String(pending) }), "KMSInvalidStateException"},
		"forged grant token": {in(func(i *kms.CreateGrantInput) {
			i.GrantTokens = []string{"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="}
		}), "InvalidGrantTokenException"},
		"dry run": {in(func(i *kms.CreateGrantInput) { i.DryRun = aws.Bool(true) }), "DryRunOperationException"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := h.a.CreateGrant(ctx, tc.in)
			wantAPICode(t, err, tc.code)
		})
	}
	list, err := h.a.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &keyID})
	noErr(t, err)
	if len(list.Grants) != 0 {
		t.Fatalf("refused requests left grants: %+v", list.Grants)
	}
}

// TestCreateGrantNameIsIdempotent: a retried named request returns the
// same grant (a new token); another request with the name but other
// properties is a new grant; unnamed requests always create.
func TestCreateGrantNameIsIdempotent(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	keyID := *out.KeyMetadata.KeyId
	in := &kms.CreateGrantInput{KeyId: &keyID, GranteePrincipal: aws.String("arn:aws:iam::" + acctB + ":root"),
		Operations: []types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationEncrypt}, Name: aws.String("byok-run-1")}
	first, err := h.a.CreateGrant(ctx, in)
	noErr(t, err)
	in.Operations = []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationDecrypt}
	retry, err := h.a.CreateGrant(ctx, in)
	noErr(t, err)
	if *retry.GrantId != *first.GrantId || *retry.GrantToken == *first.GrantToken {
		t.Fatalf("retry gave grant %s token same=%v, want grant %s and a new token", *retry.GrantId, *retry.GrantToken == *first.GrantToken, *first.GrantId)
	}
	in.Operations = []types.GrantOperation{types.GrantOperationDecrypt}
	other, err := h.a.CreateGrant(ctx, in)
	noErr(t, err)
	in.Name = nil
	u1, err := h.a.CreateGrant(ctx, in)
	noErr(t, err)
	u2, err := h.a.CreateGrant(ctx, in)
	noErr(t, err)
	if *other.GrantId == *first.GrantId || *u1.GrantId == *u2.GrantId {
		t.Fatal("a different or unnamed request reused a grant")
	}
	list, err := h.a.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &keyID})
	noErr(t, err)
	if len(list.Grants) != 4 {
		t.Fatalf("%d grants, want 4", len(list.Grants))
	}
	// The grantee account's retry token still retires the grant.
	_, err = h.a.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: first.GrantToken})
	noErr(t, err)
}

func TestGrantsSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.log")
	h := newHarness(t, path)
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	keyARN := *out.KeyMetadata.Arn
	bUser := h.cred(t, acctB).Principal.ARN
	g, err := h.a.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: &keyARN, GranteePrincipal: &bUser,
		Operations: []types.GrantOperation{types.GrantOperationEncrypt}, Name: aws.String("kept")})
	noErr(t, err)

	h2 := newHarness(t, path)
	b2 := h2.client(t, h2.cred(t, acctB), region)
	_, err = b2.Encrypt(ctx, &kms.EncryptInput{KeyId: &keyARN, Plaintext: []byte("x"), GrantTokens: []string{*g.GrantToken}})
	noErr(t, err)
	list, err := h2.a.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &keyARN})
	noErr(t, err)
	if len(list.Grants) != 1 || aws.ToString(list.Grants[0].Name) != "kept" {
		t.Fatalf("grants after restart %+v", list.Grants)
	}
}

// TestGrantTrailEvents: CreateGrant records its grantId but never a grant
// token; a call a grant authorized names the grant.
func TestGrantTrailEvents(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	keyARN := *out.KeyMetadata.Arn
	app, appARN := h.roleClient(t, acctB, "app")
	g, err := h.a.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: &keyARN, GranteePrincipal: &appARN,
		Operations: []types.GrantOperation{types.GrantOperationEncrypt}})
	noErr(t, err)
	_, err = app.Encrypt(ctx, &kms.EncryptInput{KeyId: &keyARN, Plaintext: []byte("x"), GrantTokens: []string{*g.GrantToken}})
	noErr(t, err)
	inA := events(h, acctA)
	enc, create := inA[0], inA[1]
	if create.EventName != "CreateGrant" || create.ResponseElements["grantId"] != *g.GrantId || len(create.ResponseElements) != 1 ||
		create.RequestParameters["granteePrincipal"] != appARN {
		t.Fatalf("CreateGrant event %+v", create)
	}
	if enc.EventName != "Encrypt" || enc.AdditionalEventData["grantId"] != *g.GrantId {
		t.Fatalf("Encrypt event %+v", enc)
	}
	raw, _ := json.Marshal(inA)
	if strings.Contains(string(raw), *g.GrantToken) {
		t.Fatal("a grant token reached the trail")
	}
}
