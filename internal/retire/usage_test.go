package retire_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/retire"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// TestReadUsage: a consumer's direct Encrypt and S3's GenerateDataKey on
// the consumer's behalf (a PutObject into a bucket on the key) both show
// in the Security account's CloudTrail as uses of the key; nothing else
// (DescribeKey, other keys) does.
func TestReadUsage(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	const security, prod = "111111111111", "333333333333"
	aliasARN := "arn:aws:kms:eu-west-1:" + security + ":alias/prod/s3"
	prodKMS := kms.NewFromConfig(sb.Config(ctx, prod))
	desc, err := kms.NewFromConfig(sb.Config(ctx, security)).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/prod/s3")})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(desc.KeyMetadata.Arn)
	since := sb.Now().Add(-time.Minute)
	for range 3 {
		if _, err := prodKMS.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(aliasARN), Plaintext: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = awsx.S3(sb.Config(ctx, prod)).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("byok-demo-prod-app-data"),
		Key: aws.String("o"), Body: strings.NewReader("data")})
	if err != nil {
		t.Fatal(err)
	}
	uses, err := retire.ReadUsage(ctx, cloudtrail.NewFromConfig(sb.Config(ctx, security)), security, keyARN, since, sb.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var direct, onBehalf int
	for _, u := range uses {
		switch {
		case u.Event == "Encrypt" && u.InvokedBy == "" && strings.Contains(u.Principal, prod):
			direct += u.Count
		case u.InvokedBy == "s3.amazonaws.com":
			onBehalf += u.Count
		default:
			t.Errorf("unexpected use %+v", u)
		}
	}
	if direct != 3 || onBehalf == 0 {
		t.Fatalf("uses %+v: want 3 direct Encrypts by prod and S3's calls on its behalf", uses)
	}
}
