package kmssvc_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestRetireGrant: who may retire (retiring principal, grantee holding
// RetireGrant, the key's account) and which error each bad request gets.
func TestRetireGrant(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	keyARN := *out.KeyMetadata.Arn
	app, appARN := h.roleClient(t, acctB, "app")
	admin, adminARN := h.roleClient(t, acctB, "admin")
	mk := func(ops []types.GrantOperation, retiring *string) *kms.CreateGrantOutput {
		g, err := h.a.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: &keyARN, GranteePrincipal: &appARN, Operations: ops, RetiringPrincipal: retiring})
		noErr(t, err)
		return g
	}
	dec := []types.GrantOperation{types.GrantOperationDecrypt}

	byRetiring := mk(dec, &adminARN)
	_, err = app.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: &keyARN, GrantId: byRetiring.GrantId})
	wantDenied(t, err) // grantee without the RetireGrant operation
	_, err = admin.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: byRetiring.GrantToken})
	noErr(t, err)
	_, err = admin.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: byRetiring.GrantToken})
	wantErr[*types.NotFoundException](t, err)

	selfRetiring := mk([]types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationRetireGrant}, nil)
	_, err = app.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: &keyARN, GrantId: selfRetiring.GrantId})
	noErr(t, err)

	byOwner := mk(dec, nil)
	_, err = h.a.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: aws.String(keyARN), GrantId: byOwner.GrantId})
	noErr(t, err)

	kept := mk(dec, nil)
	cases := map[string]struct {
		in   *kms.RetireGrantInput
		code string
	}{
		"neither token nor ids": {&kms.RetireGrantInput{GrantId: kept.GrantId}, "ValidationException"},
		"forged token":          {&kms.RetireGrantInput{GrantToken: aws.String(strings.Repeat("A", 60))}, "InvalidGrantTokenException"},
		"malformed grant ID":    {&kms.RetireGrantInput{KeyId: &keyARN, GrantId: aws.String("not-a-grant")}, "InvalidGrantIdException"},
		"unknown grant ID":      {&kms.RetireGrantInput{KeyId: &keyARN, GrantId: aws.String(strings.Repeat("ab", 32))}, "NotFoundException"},
		"someone else":          {&kms.RetireGrantInput{KeyId: &keyARN, GrantId: kept.GrantId}, "AccessDeniedException"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := admin.RetireGrant(ctx, tc.in)
			wantAPICode(t, err, tc.code)
		})
	}
	// RevokeGrant is the key policy's: B is not allowed it on A's key.
	_, err = app.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: &keyARN, GrantId: kept.GrantId})
	wantDenied(t, err)
	_, err = h.a.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: &keyARN, GrantId: aws.String("bad")})
	wantErr[*types.InvalidGrantIdException](t, err)
}

// TestListGrantsPages: Limit/Marker pagination, the GrantId and
// GranteePrincipal filters, the entry's fields and ListRetirableGrants
// across accounts.
func TestListGrantsPages(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	keyID, keyARN := *out.KeyMetadata.KeyId, *out.KeyMetadata.Arn
	bRoot := "arn:aws:iam::" + acctB + ":root"
	retiring := "arn:aws:iam::" + acctB + ":role/admin"
	var ids []string
	for i := 0; i < 7; i++ {
		grantee := "arn:aws:iam::" + acctB + ":role/app"
		if i%2 == 1 {
			grantee = bRoot
		}
		g, err := h.a.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: &keyID, GranteePrincipal: &grantee, RetiringPrincipal: &retiring,
			Operations:  []types.GrantOperation{types.GrantOperationDecrypt},
			Constraints: &types.GrantConstraints{EncryptionContextSubset: canaryCtx}})
		noErr(t, err)
		ids = append(ids, *g.GrantId)
	}
	var seen []string
	p := kms.NewListGrantsPaginator(h.a, &kms.ListGrantsInput{KeyId: &keyID, Limit: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		pages++
		for _, g := range page.Grants {
			seen = append(seen, *g.GrantId)
		}
	}
	if pages != 3 || strings.Join(seen, ",") != strings.Join(ids, ",") {
		t.Fatalf("%d pages of %v, want 3 pages of %v", pages, seen, ids)
	}
	one, err := h.a.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &keyID, GrantId: &ids[2]})
	noErr(t, err)
	if len(one.Grants) != 1 || one.Truncated {
		t.Fatalf("GrantId filter %+v", one.Grants)
	}
	e := one.Grants[0]
	if *e.KeyId != keyARN || *e.IssuingAccount != "arn:aws:iam::"+acctA+":root" || *e.RetiringPrincipal != retiring ||
		e.Operations[0] != types.GrantOperationDecrypt || e.Constraints.EncryptionContextSubset["purpose"] != "canary" || e.CreationDate == nil {
		t.Fatalf("entry %+v", e)
	}
	byGrantee, err := h.a.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &keyID, GranteePrincipal: &bRoot})
	noErr(t, err)
	if len(byGrantee.Grants) != 3 {
		t.Fatalf("GranteePrincipal filter: %d grants, want 3", len(byGrantee.Grants))
	}
	_, err = h.a.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &keyID, Marker: aws.String("bogus")})
	wantAPICode(t, err, "InvalidMarkerException")
	_, err = h.a.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &keyID, Limit: aws.Int32(101)})
	wantAPICode(t, err, "ValidationException")

	// B lists the grants it may retire on A's key; it may not ask for A's principals.
	r, err := h.b.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: &retiring, Limit: aws.Int32(5)})
	noErr(t, err)
	if len(r.Grants) != 5 || !r.Truncated || r.NextMarker == nil {
		t.Fatalf("retirable page: %d, truncated %v", len(r.Grants), r.Truncated)
	}
	_, err = h.b.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String("arn:aws:iam::" + acctA + ":root")})
	wantDenied(t, err)
	// B may not list A's key's grants: the key policy does not allow it.
	_, err = h.b.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &keyARN})
	wantDenied(t, err)
}
