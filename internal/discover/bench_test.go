package discover_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/discover"
	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

var benchRegions = []string{"eu-west-1", "eu-central-1", "us-east-1"}

// BenchmarkDiscover500Keys3Regions: 56 environments × 3 services × 3
// Regions = 504 EXTERNAL keys with aliases and consumer key policies, the
// sandbox enforcing AWS quotas with 20 ms latency. The bound is the
// slowest quota of one Region (Regions run in parallel): GetKeyPolicy at
// 30/s for 168 keys ≈ 5.6 s, plus one latency per call chain. Run:
// go test ./internal/discover -run '^$' -bench Discover500 -benchtime 1x
func BenchmarkDiscover500Keys3Regions(b *testing.B) {
	const envs = 56
	sb := sandboxrun.NewTest(b, false)
	if err := sb.AddAccount("111111111111", "security"); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, r := range benchRegions {
		cfg := sb.Config(ctx, "111111111111")
		cfg.Region = r
		c := kms.NewFromConfig(cfg)
		for e := 1; e <= envs; e++ {
			for _, svc := range []string{"s3", "rds", "dynamodb"} {
				createKey(b, c, fmt.Sprintf("env%02d", e), svc, fmt.Sprintf("5%011d", e))
			}
		}
	}
	sb.SetFaults([]faults.Rule{{Latency: 20 * time.Millisecond}}, true)
	pat, err := discover.ParsePattern("alias/{env}/{service}")
	if err != nil {
		b.Fatal(err)
	}
	perRegion := float64(envs * 3)
	bound := perRegion/30 + 3*0.020 // GetKeyPolicy at 30/s; ListAliases, ListKeys, DescribeKey chain latencies
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		client := func(r string) discover.KMS {
			cfg := sb.Config(ctx, "111111111111")
			cfg.Region = r
			return kms.NewFromConfig(cfg)
		}
		p := pace.New(nil)
		t0 := time.Now()
		found, issues, err := discover.Read(ctx, client, discover.Options{Security: "111111111111", Regions: benchRegions, Pattern: pat, Pace: p})
		wall := time.Since(t0).Seconds()
		if err != nil || len(found) != envs*3*len(benchRegions) || len(issues) != 0 {
			b.Fatalf("found %d, %d issues (%v), err %v", len(found), len(issues), issues, err)
		}
		b.ReportMetric(wall, "wall-s")
		b.ReportMetric(bound, "bound-s")
		b.ReportMetric(math.Round(wall/bound*1000)/1000, "ratio")
		b.ReportMetric(float64(p.Throttles()), "throttles")
	}
}

func createKey(b *testing.B, c *kms.Client, env, svc, consumer string) {
	policy := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + consumer + `:root"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}`
	k, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Origin: types.OriginTypeExternal, Policy: aws.String(policy)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.CreateAlias(context.Background(), &kms.CreateAliasInput{AliasName: aws.String("alias/" + env + "/" + svc), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
		b.Fatal(err)
	}
}
