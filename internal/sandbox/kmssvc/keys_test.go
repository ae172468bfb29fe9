package kmssvc_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/conformance/backend"
)

func TestCreateDescribeListKeys(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("prod s3"),
			Tags: []types.Tag{{TagKey: aws.String("env"), TagValue: aws.String("prod")}}})
		noErr(t, err)
		md := out.KeyMetadata
		wantARN := "arn:aws:kms:" + h.reg + ":" + h.accA + ":key/" + *md.KeyId
		if *md.Arn != wantARN || *md.AWSAccountId != h.accA || md.KeyState != types.KeyStateEnabled || !md.Enabled ||
			md.Origin != types.OriginTypeAwsKms || md.KeyManager != types.KeyManagerTypeCustomer || md.KeySpec != types.KeySpecSymmetricDefault ||
			md.KeyUsage != types.KeyUsageTypeEncryptDecrypt || len(md.EncryptionAlgorithms) != 1 || !materialIDRE.MatchString(aws.ToString(md.CurrentKeyMaterialId)) ||
			*md.MultiRegion || *md.Description != "prod s3" || md.CreationDate == nil {
			t.Fatalf("metadata %+v", md)
		}
		pol, err := h.a.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId})
		noErr(t, err)
		if !strings.Contains(*pol.Policy, "arn:aws:iam::"+h.accA+":root") || *pol.PolicyName != "default" {
			t.Fatalf("default policy %s", *pol.Policy)
		}
		mine := []string{newExternalKey(t, h.a, false), newExternalKey(t, h.a, false)}
		theirs := newExternalKey(t, h.b, false) // another account's key is not listed
		var ids []string
		in := &kms.ListKeysInput{Limit: aws.Int32(2)}
		for {
			page, err := h.a.ListKeys(ctx, in)
			noErr(t, err)
			for _, k := range page.Keys {
				ids = append(ids, *k.KeyId)
			}
			if !page.Truncated {
				break
			}
			in.Marker = page.NextMarker
		}
		listed := map[string]bool{}
		for _, id := range ids {
			listed[id] = true
		}
		if !listed[*md.KeyId] || !listed[mine[0]] || !listed[mine[1]] || (h.accA != h.accB && listed[theirs]) {
			t.Fatalf("ListKeys = %v, want %s and %v, not %s", ids, *md.KeyId, mine, theirs)
		}
		t.Run("an empty account lists only its keys", func(t *testing.T) {
			h.sandbox(t, "a test account on AWS holds other keys; the sandbox account starts empty")
			if len(ids) != 3 {
				t.Fatalf("ListKeys = %v, want 3 keys", ids)
			}
		})
		_, err = h.a.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("garbage!")})
		wantErr[*types.InvalidMarkerException](t, err)
	})
}

func TestKeyRefErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		missing := "11111111-2222-4333-8444-555555555555"
		cases := map[string]struct {
			ref     string
			wantMsg string
		}{
			"unknown key ID":   {missing, "Key 'arn:aws:kms:eu-west-1:111111111111:key/" + missing + "' does not exist"},
			"unknown alias":    {"alias/none", "Alias arn:aws:kms:eu-west-1:111111111111:alias/none is not found."},
			"malformed key ID": {"not-a-key", "Invalid keyId 'not-a-key'"},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				_, err := h.a.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(tc.ref)})
				e := wantErr[*types.NotFoundException](t, err)
				if e.ErrorMessage() != tc.wantMsg {
					t.Fatalf("message %q, want %q", e.ErrorMessage(), tc.wantMsg)
				}
			})
		}
	})
}

func TestEnableDisableAndDeletion(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
		noErr(t, err)
		id := *out.KeyMetadata.KeyId
		_, err = h.a.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &id})
		noErr(t, err)
		_, err = h.a.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("x")})
		e := wantErr[*types.DisabledException](t, err)
		if e.ErrorMessage() != *out.KeyMetadata.Arn+" is disabled." {
			t.Fatalf("message %q", e.ErrorMessage())
		}
		_, err = h.a.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &id})
		noErr(t, err)
		_, err = h.a.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(6)})
		wantAPICode(t, err, "ValidationException")
		sch, err := h.a.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(7)})
		noErr(t, err)
		if sch.KeyState != types.KeyStatePendingDeletion || *sch.PendingWindowInDays != 7 || sch.DeletionDate == nil {
			t.Fatalf("schedule output %+v", sch)
		}
		_, err = h.a.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("x")})
		e2 := wantErr[*types.KMSInvalidStateException](t, err)
		if e2.ErrorMessage() != *out.KeyMetadata.Arn+" is pending deletion." {
			t.Fatalf("message %q", e2.ErrorMessage())
		}
		_, err = h.a.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: &id})
		noErr(t, err)
		if st := describe(t, h.a, id).KeyState; st != types.KeyStateDisabled {
			t.Fatalf("state after cancel = %s, want Disabled", st)
		}
		_, err = h.a.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(7)})
		noErr(t, err)
		t.Run("gone after the pending window", func(t *testing.T) {
			h.sandbox(t, "a key is gone 7 days after ScheduleKeyDeletion: the sandbox clock advances 8 days").Env.Clock.Advance(8 * 24 * time.Hour)
			_, err := h.a.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
			wantErr[*types.NotFoundException](t, err)
		})
	})
}

func TestTagsAndPolicy(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		id := newExternalKey(t, h.a, false)
		_, err := h.a.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: []types.Tag{
			{TagKey: aws.String("LastKeyMaterialId"), TagValue: aws.String("abc")}, {TagKey: aws.String("env"), TagValue: aws.String("dev")}}})
		noErr(t, err)
		_, err = h.a.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: []types.Tag{{TagKey: aws.String("env"), TagValue: aws.String("prod")}}})
		noErr(t, err)
		_, err = h.a.UntagResource(ctx, &kms.UntagResourceInput{KeyId: &id, TagKeys: []string{"LastKeyMaterialId"}})
		noErr(t, err)
		tags, err := h.a.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &id})
		noErr(t, err)
		tags.Tags = slices.DeleteFunc(tags.Tags, func(tg types.Tag) bool { return *tg.TagKey == backend.TagKey })
		if len(tags.Tags) != 1 || *tags.Tags[0].TagKey != "env" || *tags.Tags[0].TagValue != "prod" {
			t.Fatalf("tags %+v", tags.Tags)
		}
		_, err = h.a.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("y")}}})
		wantErr[*types.TagException](t, err)
		_, err = h.a.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, Policy: aws.String("{not json")})
		wantErr[*types.MalformedPolicyDocumentException](t, err)
		pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + h.accA + `:root"},"Action":"kms:*","Resource":"*"}]}`
		_, err = h.a.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, Policy: &pol})
		noErr(t, err)
		got, err := h.a.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &id})
		noErr(t, err)
		if *got.Policy != pol {
			t.Fatalf("policy %s", *got.Policy)
		}
	})
}
