package eventssvc_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/sandbox/trail"
)

// TestKMSReadOnlyAsCloudTrail: the trail marks each KMS operation readOnly
// as CloudTrail does (the KMS Developer Guide's CloudTrail examples:
// cryptographic operations, Describe*, Get* including
// GetParametersForImport, and List* are read-only; every change is not),
// which decides whether a rule in state ENABLED sees the call.
func TestKMSReadOnlyAsCloudTrail(t *testing.T) {
	sb := newSandbox(t, security)
	c := kmsClient(sb, security)
	key := must(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata.KeyId
	ext := must(c.CreateKey(ctx, &kms.CreateKeyInput{Origin: kmstypes.OriginTypeExternal})).KeyMetadata.KeyId
	ct := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: key, Plaintext: []byte("x")})).CiphertextBlob
	must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct}))
	must(c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: key, KeySpec: kmstypes.DataKeySpecAes256}))
	must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key}))
	must(c.ListAliases(ctx, &kms.ListAliasesInput{}))
	must(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: key}))
	must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: key}))
	must(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: ext,
		WrappingAlgorithm: kmstypes.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kmstypes.WrappingKeySpecRsa2048}))
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/ro"), TargetKeyId: key}))
	must(c.TagResource(ctx, &kms.TagResourceInput{KeyId: key, Tags: []kmstypes.Tag{{TagKey: aws.String("a"), TagValue: aws.String("b")}}}))
	must(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key}))
	must(c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key}))
	want := map[string]bool{
		"CreateKey": false, "Encrypt": true, "Decrypt": true, "GenerateDataKey": true, "DescribeKey": true,
		"ListAliases": true, "GetKeyPolicy": true, "ListKeyRotations": true, "GetParametersForImport": true,
		"CreateAlias": false, "TagResource": false, "DisableKey": false, "EnableKey": false,
	}
	seen := map[string]bool{}
	sb.Server.Env.Trail.Visible(security, sb.Region(), func(e trail.Event) bool {
		if w, ok := want[e.EventName]; ok {
			seen[e.EventName] = true
			if e.ReadOnly != w {
				t.Errorf("%s recorded readOnly=%v, CloudTrail records %v", e.EventName, e.ReadOnly, w)
			}
		}
		return true
	})
	for op := range want {
		if !seen[op] {
			t.Errorf("no trail event for %s", op)
		}
	}
}
