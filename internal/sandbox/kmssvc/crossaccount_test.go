package kmssvc_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

func sharedPolicy(extra string) string {
	return `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:role/app"]},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"}` + extra + `]}`
}

func TestCrossAccountUse(t *testing.T) {
	eachBackend(t, func(t *testing.T, h *harness) {
		app, roleARN := h.roleClient(t, h.accB, "app")
		other, _ := h.roleClient(t, h.accB, "other")
		shared, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(sharedPolicy(""))})
		noErr(t, err)
		private, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
		noErr(t, err)
		sharedARN, privateARN := *shared.KeyMetadata.Arn, *private.KeyMetadata.Arn

		ct := encryptWith(t, h.a, sharedARN, []byte("canary"))
		dec, err := app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
		noErr(t, err)
		if string(dec.Plaintext) != "canary" {
			t.Fatalf("cross-account decrypt %q", dec.Plaintext)
		}
		_, err = app.Encrypt(ctx, &kms.EncryptInput{KeyId: &sharedARN, Plaintext: []byte("x")})
		noErr(t, err)
		_, err = other.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
		e := wantDenied(t, err)
		want := "is not authorized to perform: kms:Decrypt on resource: " + sharedARN + " because no resource-based policy allows the kms:Decrypt action"
		if !strings.HasPrefix(e.ErrorMessage(), "User: arn:aws:sts::"+h.accB+":assumed-role/other/test ") || !strings.HasSuffix(e.ErrorMessage(), want) {
			t.Fatalf("message %q", e.ErrorMessage())
		}
		ct2 := encryptWith(t, h.a, privateARN, []byte("x"))
		_, err = app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct2})
		wantDenied(t, err)
		_, err = app.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &sharedARN})
		noErr(t, err)

		refused := map[string]func() error{
			"ListResourceTags": func() error {
				_, err := app.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &sharedARN})
				return err
			},
			"ListKeyRotations": func() error {
				_, err := app.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &sharedARN})
				return err
			},
			"ScheduleKeyDeletion": func() error {
				_, err := app.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &sharedARN})
				return err
			},
			"GetKeyPolicy": func() error {
				_, err := app.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &sharedARN})
				return err
			},
		}
		for name, call := range refused {
			t.Run(name+" refused cross-account", func(t *testing.T) {
				wantDenied(t, call())
			})
		}

		deny := `,{"Effect":"Deny","Principal":{"AWS":"` + roleARN + `"},"Action":"kms:Decrypt","Resource":"*"}`
		_, err = h.a.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &sharedARN, Policy: aws.String(sharedPolicy(deny))})
		noErr(t, err)
		_, err = app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
		e = wantDenied(t, err)
		if !strings.HasSuffix(e.ErrorMessage(), "with an explicit deny in a resource-based policy") {
			t.Fatalf("deny message %q", e.ErrorMessage())
		}
		_, err = app.Encrypt(ctx, &kms.EncryptInput{KeyId: &sharedARN, Plaintext: []byte("x")})
		noErr(t, err)
	})
}

// wantDenied asserts AccessDeniedException (KMS has no modelled type for it;
// the SDK surfaces it as a generic smithy.APIError).
func wantDenied(t *testing.T, err error) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Fatalf("got %v, want AccessDeniedException", err)
	}
	return ae
}
