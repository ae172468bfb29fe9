package configrule_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/configrule"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// TestMemberSessionRefreshesAfterExpiredToken: a warm function container
// keeps its member-account Config client; when the clock has passed the
// session's expiry, the next call (answered ExpiredTokenException)
// assumes the role again and succeeds.
func TestMemberSessionRefreshesAfterExpiredToken(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	cfg := sb.Config(ctx, "111111111111")
	clients := configrule.AssumeRoleClients(cfg, sts.NewFromConfig(cfg))
	c, err := clients(ctx, "arn:aws:iam::222222222222:role/byok-config-rule-member")
	if err != nil {
		t.Fatal(err)
	}
	list := func() error {
		_, err := c.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: "AWS::S3::Bucket"})
		return err
	}
	if err := list(); err != nil {
		t.Fatal(err)
	}
	sb.AdvanceClock(2 * time.Hour)
	if err := list(); err != nil {
		t.Fatalf("after the clock passed the session's expiry: %v", err)
	}
}
