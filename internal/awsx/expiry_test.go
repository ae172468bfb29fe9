package awsx_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// jumpClock moves the sandbox clock through its admin endpoint, as an
// operator's suspended laptop or a long wait would: every session issued
// before is expired for AWS, still fresh for the SDK's cache.
func jumpClock(t *testing.T, sb *sandboxrun.Sandbox, d time.Duration) {
	t.Helper()
	resp, err := sb.AdminClient().Post(sb.URL()+"/_byok/clock", "application/json", bytes.NewReader([]byte(`{"advance":"`+d.String()+`"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("advance the sandbox clock: %s", resp.Status)
	}
}

// sessionCalls are one call per protocol the sandbox answers an expired
// session with: JSON (ExpiredTokenException), Query and REST-XML
// (ExpiredToken).
var sessionCalls = map[string]func(context.Context, aws.Config) error{
	"kms": func(ctx context.Context, c aws.Config) error {
		_, err := kms.NewFromConfig(c).ListAliases(ctx, &kms.ListAliasesInput{})
		return err
	},
	"cloudtrail": func(ctx context.Context, c aws.Config) error {
		_, err := cloudtrail.NewFromConfig(c).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
		return err
	},
	"config": func(ctx context.Context, c aws.Config) error {
		_, err := configservice.NewFromConfig(c).ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: "AWS::S3::Bucket"})
		return err
	},
	"rds": func(ctx context.Context, c aws.Config) error {
		_, err := rds.NewFromConfig(c).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
		return err
	},
	"s3": func(ctx context.Context, c aws.Config) error {
		_, err := awsx.S3(c).ListBuckets(ctx, nil)
		return err
	},
	"sts": func(ctx context.Context, c aws.Config) error {
		_, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	},
}

// TestSessionsRefreshAfterExpiredToken: every session byok assumes (the
// operator role, a consumer's verify role, a role assumed from the
// operator's session such as the migration role) keeps working when the
// clock jumps past its expiry between two calls of each service; a
// session without the refresh fails with ExpiredToken, so the jump does
// expire it.
func TestSessionsRefreshAfterExpiredToken(t *testing.T) {
	isolate(t)
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	const sec, prod = "111111111111", "333333333333"
	if err := sb.AddRole(identity.Role{ARN: "arn:aws:iam::" + prod + ":role/byok-migration", Account: prod, Name: "byok-migration",
		Trusted: []string{"arn:aws:iam::" + sec + ":role/byok-operator"}}); err != nil {
		t.Fatal(err)
	}
	accts := awsx.NewAccounts(sb.Config(ctx, sec), sec, "arn:aws:iam::"+sec+":role/byok-operator", "arn:aws:iam::{account}:role/byok-verify")
	sessions := map[string]func() aws.Config{
		"operator": func() aws.Config { return accts.For(sec) },
		"verify":   func() aws.Config { return accts.For(prod) },
		"chained":  func() aws.Config { return awsx.Assume(accts.For(sec), "arn:aws:iam::"+prod+":role/byok-migration") },
	}
	for who, cfg := range sessions {
		for svc, call := range sessionCalls {
			t.Run(who+"/"+svc, func(t *testing.T) {
				c := cfg()
				if err := call(ctx, c); err != nil {
					t.Fatalf("before the jump: %v", err)
				}
				jumpClock(t, sb, 2*time.Hour)
				if err := call(ctx, c); err != nil {
					t.Fatalf("after the clock jumped past the session's expiry: %v", err)
				}
			})
		}
	}
	t.Run("without the refresh", func(t *testing.T) {
		c := awsx.Assume(sb.Config(ctx, sec), "arn:aws:iam::"+sec+":role/byok-operator")
		c.Retryer = nil
		if err := sessionCalls["kms"](ctx, c); err != nil {
			t.Fatal(err)
		}
		jumpClock(t, sb, 2*time.Hour)
		if err := sessionCalls["kms"](ctx, c); !awsx.IsExpiredToken(err) {
			t.Fatalf("an expired session without the refresh: %v, want ExpiredTokenException", err)
		}
	})
}
