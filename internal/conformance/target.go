package conformance

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// Environment variables that turn the real-AWS subtests on.
const (
	EnvEnable  = "BYOK_CONFORMANCE_AWS"     // "1" to run against AWS
	EnvProfile = "BYOK_CONFORMANCE_PROFILE" // shared-config profile of the test account
	EnvRegion  = "BYOK_CONFORMANCE_REGION"  // default DefaultRegion
)

// DefaultRegion is where the suite runs unless EnvRegion says otherwise.
const DefaultRegion = "eu-west-1"

// sandboxAccount is the sandbox account the suite acts in.
const sandboxAccount = "222222222222"

// Target is one backend: its name ("sandbox" or "aws"), an SDK
// configuration acting in one account, and that account's ID.
type Target struct {
	Name    string
	Config  aws.Config
	Account string
	// Sandbox is the sandbox behind the target; nil on AWS.
	Sandbox *sandboxrun.Sandbox
}

// IsAWS reports whether the target is a real AWS account.
func (tg *Target) IsAWS() bool { return tg.Sandbox == nil }

// Each runs fn as the subtest "sandbox" on a fresh sandbox and as the
// subtest "aws" on the test account (skipped unless enabled).
func Each(t *testing.T, fn func(t *testing.T, tg *Target)) {
	t.Helper()
	t.Run("sandbox", func(t *testing.T) { fn(t, Sandbox(t)) })
	t.Run("aws", func(t *testing.T) { fn(t, AWS(t)) })
}

// Sandbox starts an empty sandbox with one account, no ambient AWS
// configuration read.
func Sandbox(t *testing.T) *Target {
	t.Helper()
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(sandboxAccount, "conformance"); err != nil {
		t.Fatal(err)
	}
	cfg := sb.Config(context.Background(), sandboxAccount)
	cfg.RetryMaxAttempts = 1
	return &Target{Name: "sandbox", Config: cfg, Account: sandboxAccount, Sandbox: sb}
}

// AWS returns the test account named by EnvProfile, or skips the test with
// how to enable it. Once enabled, a profile that does not load or an
// account that does not answer fails the test: it never falls back.
func AWS(t *testing.T) *Target {
	t.Helper()
	if os.Getenv(EnvEnable) != "1" {
		t.Skipf("real-AWS conformance not run: set %s=1 and %s=<profile of a test account> (optional %s, default %s); see docs/operations.md",
			EnvEnable, EnvProfile, EnvRegion, DefaultRegion)
	}
	profile := os.Getenv(EnvProfile)
	if profile == "" {
		t.Fatalf("%s=1 needs %s: name the shared-config profile of a test account explicitly", EnvEnable, EnvProfile)
	}
	if os.Getenv("AWS_ENDPOINT_URL") != "" {
		t.Fatal("AWS_ENDPOINT_URL is set: unset it so that the real-AWS subtests reach AWS and not a sandbox")
	}
	region := os.Getenv(EnvRegion)
	if region == "" {
		region = DefaultRegion
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile), config.WithRegion(region))
	if err != nil {
		t.Fatalf("load profile %s: %v", profile, err)
	}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("profile %s does not reach AWS: %v", profile, err)
	}
	return &Target{Name: "aws", Config: cfg, Account: aws.ToString(who.Account)}
}
