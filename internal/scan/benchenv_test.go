package scan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/keyfacts"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

const benchSec = "111111111111"

var benchRegions = []string{"eu-west-1", "eu-central-1"}

type benchEnv struct {
	sb        *sandboxrun.Sandbox
	est       *estate.Estate
	consumers []string
}

// benchEstateYAML has one environment per consumer account.
func benchEstateYAML(s shape) string {
	var b strings.Builder
	fmt.Fprintf(&b, "security_account: %q\nregions: [%s]\n", benchSec, strings.Join(benchRegions[:s.regions], ", "))
	b.WriteString("policy: {max_material_age: 365d, expiry_warning: 30d, wrapping: {algorithm: RSAES_OAEP_SHA_1, key_spec: RSA_4096}}\n")
	b.WriteString("hsm: \"pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN\"\n")
	fmt.Fprintf(&b, "roles: {operator: \"arn:aws:iam::%s:role/byok-operator\", verify: \"arn:aws:iam::{account}:role/byok-verify\"}\n", benchSec)
	b.WriteString("services: [s3, rds, dynamodb]\nenvironments:\n")
	for i := range s.accounts {
		fmt.Fprintf(&b, "  e%03d: {account: \"2%011d\"}\n", i, i)
	}
	return b.String()
}

// newBenchEnv starts a sandbox (no latency, no quotas yet), seeds the
// estate's keys through the SDK and bulk-creates the resources, each on
// its environment's estate key.
func newBenchEnv(b testing.TB, s shape) *benchEnv {
	b.Helper()
	ctx := context.Background()
	sb := sandboxrun.NewTest(b, false)
	est, err := estate.Parse("bench.yaml", []byte(benchEstateYAML(s)))
	if err != nil {
		b.Fatal(err)
	}
	res, err := seed.Apply(ctx, sb, est, seed.Options{Source: "bench", DefaultMaterial: seed.Material{Age: 30 * 24 * time.Hour}})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	keys := map[string]string{} // alias@region → key ARN
	for _, k := range res.Keys {
		keys[k.Alias+"@"+k.Region] = k.KeyARN
	}
	env := &benchEnv{sb: sb, est: est}
	for _, e := range est.Environments {
		env.consumers = append(env.consumers, e.Account)
		for _, region := range est.Regions {
			env.bulk(b, e, region, s, keys)
		}
	}
	isolate(b, sb)
	return env
}

func (env *benchEnv) bulk(b testing.TB, e estate.Environment, region string, s shape, keys map[string]string) {
	key := func(svc string) string { return keys["alias/"+e.Name+"/"+svc+"@"+region] }
	prefix := "b-" + e.Account + "-" + region
	for _, req := range []struct {
		path string
		body map[string]any
	}{
		{"rds/bulk", map[string]any{"account": e.Account, "region": region, "kind": "instance", "count": s.instances, "prefix": "db", "keyId": key("rds")}},
		{"rds/bulk", map[string]any{"account": e.Account, "region": region, "kind": "cluster", "count": s.clusters, "prefix": "cl", "keyId": key("rds")}},
		{"dynamodb/bulk", map[string]any{"account": e.Account, "region": region, "count": s.tables, "prefix": "t", "keyId": key("dynamodb")}},
		{"s3/bulk", map[string]any{"account": e.Account, "region": region, "count": s.buckets, "prefix": prefix,
			"encryption": map[string]any{"algorithm": "aws:kms", "kmsMasterKeyId": key("s3")}}},
	} {
		raw, _ := json.Marshal(req.body)
		resp, err := env.sb.AdminClient().Post(env.sb.URL()+"/_byok/"+req.path, "application/json", bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		var out bytes.Buffer
		_, _ = out.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("bulk %s: HTTP %d %s", req.path, resp.StatusCode, out.String())
		}
	}
}

// isolate points the SDK chain at the sandbox as the Security account's
// admin, with no ambient AWS configuration.
func isolate(b testing.TB, sb *sandboxrun.Sandbox) {
	empty := filepath.Join(b.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	akid, secret := sandbox.AccountKeys(benchSec)
	for k, v := range map[string]string{"AWS_ENDPOINT_URL": sb.URL(), "AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret,
		"AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_REGION": benchRegions[0], "AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty} {
		b.Setenv(k, v)
	}
}

// benchClients builds clients as byok scan does (cmd/byok awsEnv):
// awsx.Load (adaptive retry), one shared HTTP transport keeping 128 idle
// connections, AssumeRole per account, one client per account, region and
// service.
type benchClients struct {
	accounts *awsx.Accounts
	mu       sync.Mutex
	cache    map[string]any
}

func newBenchClients(b testing.TB, env *benchEnv) *benchClients {
	base, err := awsx.Load(context.Background(), env.est.PrimaryRegion())
	if err != nil {
		b.Fatal(err)
	}
	tr := awshttp.NewBuildableClient().GetTransport()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 0, 128
	base.HTTPClient = &http.Client{Transport: tr}
	b.Cleanup(tr.CloseIdleConnections) // before the sandbox's cleanup closes the server
	return &benchClients{accounts: awsx.NewAccounts(base, env.est.SecurityAccount, env.est.Roles.Operator, env.est.Roles.Verify),
		cache: map[string]any{}}
}

func (c *benchClients) get(svc, account, region string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := svc + "/" + account + "/" + region
	if v, ok := c.cache[k]; ok {
		return v
	}
	cfg := awsx.WithRegion(c.accounts.For(account), region)
	var v any
	switch svc {
	case "rds":
		v = rds.NewFromConfig(cfg)
	case "dynamodb":
		v = dynamodb.NewFromConfig(cfg)
	case "s3":
		v = awsx.S3(cfg)
	default:
		v = kms.NewFromConfig(cfg)
	}
	c.cache[k] = v
	return v
}

func (c *benchClients) RDS(a, r string) inventory.RDS { return c.get("rds", a, r).(*rds.Client) }
func (c *benchClients) DynamoDB(a, r string) inventory.DynamoDB {
	return c.get("dynamodb", a, r).(*dynamodb.Client)
}
func (c *benchClients) S3(a, r string) inventory.S3  { return c.get("s3", a, r).(*s3.Client) }
func (c *benchClients) kms(a, r string) keyfacts.KMS { return c.get("kms", a, r).(*kms.Client) }
