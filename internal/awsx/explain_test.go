package awsx_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// TestExplainCredentialErrors drives the real SDK at the sandbox with the
// credential mistakes operators make and asserts which hint each gets.
func TestExplainCredentialErrors(t *testing.T) {
	isolate(t)
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	akid, secret := sandbox.AccountKeys("111111111111")
	with := func(id, sec string) aws.Config {
		cfg := sb.Config(ctx, "111111111111")
		cfg.Credentials = credentials.NewStaticCredentialsProvider(id, sec, "")
		return cfg
	}
	operator := "arn:aws:iam::111111111111:role/byok-operator"
	cases := map[string]struct {
		call func() error
		want error
	}{
		"wrong secret, JSON API (KMS)": {func() error {
			_, err := kms.NewFromConfig(with(akid, secret+"x")).ListKeys(ctx, &kms.ListKeysInput{})
			return err
		}, awsx.ErrBadSignature},
		"wrong secret, Query API (STS)": {func() error {
			_, err := awsx.CallerARN(ctx, with(akid, secret+"x"))
			return err
		}, awsx.ErrBadSignature},
		"unknown access key": {func() error {
			_, err := kms.NewFromConfig(with("AKIANOSUCHKEY0000000", secret)).ListKeys(ctx, &kms.ListKeysInput{})
			return err
		}, awsx.ErrBadToken},
		"another account's credentials assume the operator role": {func() error {
			cfg := awsx.Assume(sb.Config(ctx, "222222222222"), operator)
			_, err := kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{})
			return err
		}, awsx.ErrCannotAssume},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := awsx.Explain(c.call())
			if !errors.Is(err, c.want) {
				t.Fatalf("Explain = %v\nwant %v", err, c.want)
			}
			if again := awsx.Explain(err); again.Error() != err.Error() {
				t.Fatalf("explained twice: %v", again)
			}
		})
	}
}

// TestExplainLeavesOtherErrors: an AccessDenied outside AssumeRole (a key
// policy) is not a credential problem and gets no credential hint.
func TestExplainLeavesOtherErrors(t *testing.T) {
	isolate(t)
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	_, err := sts.NewFromConfig(sb.Config(ctx, "111111111111")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::222222222222:role/nope"), RoleSessionName: aws.String("byok-test")})
	if err == nil {
		t.Fatal("AssumeRole of an unknown role succeeded")
	}
	if got := awsx.Explain(err); !errors.Is(got, awsx.ErrCannotAssume) {
		t.Fatalf("AssumeRole refused: %v, want ErrCannotAssume", got)
	}
	plain := errors.New("kms: key policy denies kms:Decrypt")
	if got := awsx.Explain(plain); got != plain || strings.Contains(got.Error(), "credentials") {
		t.Fatalf("Explain(plain) = %v", got)
	}
}
