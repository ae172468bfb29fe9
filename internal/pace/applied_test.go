package pace_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// TestAppliedValueLowerThanDefaultIsHonoured: an account whose
// ListKeyRotations quota was lowered to 2/s (below AWS's default of 5/s)
// in Service Quotas is paced at 2/s once the pacer has read the applied
// values through the real SDK; another Region of the same account keeps
// the default.
func TestAppliedValueLowerThanDefaultIsHonoured(t *testing.T) {
	const account, region, other = "111111111111", "eu-west-1", "eu-central-1"
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(account, "security"); err != nil {
		t.Fatal(err)
	}
	if err := sb.SetAppliedQuota(account, region, pace.ServiceKMS, "ListKeyRotations", 2); err != nil {
		t.Fatal(err)
	}
	cfg := sb.Config(context.Background(), account)
	cfg.Region = region
	p := pace.New(nil)
	src, err := p.Load(context.Background(), account, region, pace.ServiceKMS, servicequotas.NewFromConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if src.Origin != pace.OriginServiceQuotas || src.Applied["ListKeyRotations"] != 2 {
		t.Fatalf("source %+v, want ListKeyRotations applied at 2 from Service Quotas", src)
	}
	k := pace.Key{Account: account, Region: region, Service: pace.ServiceKMS, Op: "ListKeyRotations"}
	if rate, limit := p.Rate(k); rate != 2 || limit != 2 {
		t.Fatalf("rate %v limit %v, want the applied 2/s", rate, limit)
	}
	k.Region = other
	if rate, limit := p.Rate(k); rate != 5 || limit != 5 {
		t.Fatalf("%s: rate %v limit %v, want the default 5/s", other, rate, limit)
	}
}
