package watch_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/watch"
)

// TestFailuresGroupsFailedCalls makes real failed KMS calls against the
// sandbox (prod is not in the dev key's policy) and reads them back from
// CloudTrail in both the caller's and the key owner's account.
func TestFailuresGroupsFailedCalls(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	start := sb.Now().Add(-time.Minute)
	alias := "arn:aws:kms:eu-west-1:111111111111:alias/dev/rds"
	sec := kms.NewFromConfig(sb.Config(ctx, "111111111111"))
	d, err := sec.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(d.KeyMetadata.Arn)
	prod := kms.NewFromConfig(sb.Config(ctx, "333333333333"))
	for range 3 {
		if _, err := prod.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(alias), Plaintext: []byte("x")}); err == nil {
			t.Fatal("prod encrypted with the dev key; the key policy should refuse it")
		}
	}
	if _, err := sec.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(alias), Plaintext: []byte("ok")}); err != nil {
		t.Fatal(err)
	}
	for _, acct := range []string{"111111111111", "333333333333"} {
		trail := cloudtrail.NewFromConfig(sb.Config(ctx, acct))
		fs, err := watch.Failures(ctx, trail, acct, keyARN, start, sb.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 {
			t.Fatalf("%s: %d failure groups %+v, want one (the successful Encrypt is not a failure)", acct, len(fs), fs)
		}
		f := fs[0]
		if f.Count != 3 || f.Event != "Encrypt" || f.ErrorCode != "AccessDeniedException" ||
			f.Principal != "arn:aws:iam::333333333333:user/byok-admin" || f.Account != acct {
			t.Fatalf("%s: group %+v, want 3 × Encrypt AccessDeniedException by prod's admin", acct, f)
		}
	}
}
