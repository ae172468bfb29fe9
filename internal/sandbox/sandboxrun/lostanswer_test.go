package sandboxrun_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// A lost answer: the call takes effect, the client sees a 500 and the
// SDK, left to its defaults, sends the call again.
func TestLostAnswerTakesEffect(t *testing.T) {
	sb := sandboxrun.NewTest(t, false)
	ctx := context.Background()
	if err := sb.AddAccount("111111111111", "security"); err != nil {
		t.Fatal(err)
	}
	once := kms.NewFromConfig(sb.Config(ctx, "111111111111"), func(o *kms.Options) { o.RetryMaxAttempts = 1 })
	sb.SetFaults([]faults.Rule{{Service: "kms", Operation: "CreateKey", Code: "InternalFailure", Status: 500, Count: 1, After: true}}, false)
	_, err := once.CreateKey(ctx, &kms.CreateKeyInput{Origin: kmstypes.OriginTypeExternal})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InternalFailure" {
		t.Fatalf("CreateKey with a lost answer: got %v, want InternalFailure", err)
	}
	keys, err := once.ListKeys(ctx, &kms.ListKeysInput{})
	if err != nil || len(keys.Keys) != 1 {
		t.Fatalf("after the lost answer ListKeys = %v, %v; want the one key the call created", keys, err)
	}
	keyID := aws.ToString(keys.Keys[0].KeyId)

	// The SDK's default retry sends the non-idempotent call again and
	// succeeds: two keys exist, which is what byok must guard against.
	retrying := kms.NewFromConfig(sb.Config(ctx, "111111111111"))
	sb.SetFaults([]faults.Rule{{Service: "kms", Operation: "TagResource", Code: "InternalFailure", Status: 500, Count: 1, After: true}}, false)
	if _, err := retrying.TagResource(ctx, &kms.TagResourceInput{KeyId: &keyID,
		Tags: []kmstypes.Tag{{TagKey: aws.String("byok:run"), TagValue: aws.String("r-1")}}}); err != nil {
		t.Fatalf("TagResource retried after a lost answer: %v", err)
	}
	tags, err := once.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &keyID})
	if err != nil || len(tags.Tags) != 1 {
		t.Fatalf("tags = %v, %v; want the one tag (applied twice, idempotent)", tags, err)
	}
	if n := sb.Counters().Get("111111111111", "kms", "TagResource"); n != 2 {
		t.Fatalf("TagResource reached the sandbox %d times, want 2 (lost answer + retry)", n)
	}
}

// Lost-answer rules never delay or refuse the call itself.
func TestLostAnswerRuleIgnoredBeforeTheCall(t *testing.T) {
	in := faults.New()
	in.SetRules([]faults.Rule{{Service: "kms", Code: "InternalFailure", Status: 500, After: true}})
	if d, err := in.Decide("kms", "Encrypt", "1", "eu-west-1"); d != 0 || err != nil {
		t.Fatalf("Decide = %v, %v; want no delay, no error", d, err)
	}
	if err := in.DecideAfter("kms", "Encrypt", "1"); err == nil || err.Code != "InternalFailure" {
		t.Fatalf("DecideAfter = %v, want InternalFailure", err)
	}
	if err := in.DecideAfter("sts", "AssumeRole", "1"); err != nil {
		t.Fatalf("DecideAfter on another service = %v, want nil", err)
	}
}
