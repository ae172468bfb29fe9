package backend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

var accountRE = regexp.MustCompile(`^\d{12}$`)

// The sandbox variant's accounts: the demo estate's Security and dev.
const (
	SandboxSecurity = "111111111111"
	SandboxConsumer = "222222222222"
)

// Options shape the sandbox variant.
type Options struct {
	// Seeded starts the sandbox with the demo estate (sandboxrun.NewTest).
	Seeded bool
}

// Backend is one variant: SDK configurations for its accounts, a unique
// run ID, and (sandbox only) the sandbox behind it.
type Backend struct {
	Kind     Kind
	Region   string
	Security string // the account that owns keys (the test account on AWS)
	Consumer string // a second account; equal to Security on a one-account AWS run
	Run      string // unique per Backend: names and the byok-conformance tag carry it
	configs  map[string]aws.Config
	sb       *sandboxrun.Sandbox
}

// Each runs fn as the subtest "sandbox" on a fresh in-process sandbox and
// as the subtest "aws" on the backend Select names (skipped, loudly,
// unless enabled).
func Each(t *testing.T, fn func(t *testing.T, b *Backend), opts ...Options) {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	t.Run("sandbox", func(t *testing.T) { fn(t, Sandbox(t, o)) })
	t.Run("aws", func(t *testing.T) { fn(t, AWS(t)) })
}

// Sandbox starts an in-process sandbox with the Security and consumer
// accounts, reading no ambient AWS configuration.
func Sandbox(t testing.TB, o Options) *Backend {
	t.Helper()
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	sb := sandboxrun.NewTest(t, o.Seeded)
	for id, name := range map[string]string{SandboxSecurity: "security", SandboxConsumer: "dev"} {
		if err := sb.AddAccount(id, name); err != nil {
			t.Fatal(err)
		}
	}
	b := &Backend{Kind: KindSandbox, Region: sb.Region(), Security: SandboxSecurity, Consumer: SandboxConsumer,
		Run: runID(t), sb: sb, configs: map[string]aws.Config{}}
	for _, a := range []string{SandboxSecurity, SandboxConsumer} {
		b.configs[a] = sb.Config(context.Background(), a)
	}
	return b
}

// AWS opens the backend Select names from the environment. Not enabled:
// the test is skipped with how to enable it. Enabled without usable
// credentials: the test fails.
func AWS(t testing.TB) *Backend {
	t.Helper()
	sel, err := Select(os.Getenv)
	if err != nil {
		t.Fatalf("aws variant: %v", err)
	}
	if sel.Kind != KindAWS {
		t.Skip(skipMessage())
	}
	b := &Backend{Kind: KindAWS, Region: sel.Region, Run: runID(t), configs: map[string]aws.Config{}}
	b.Security = b.open(t, sel, sel.Profile)
	b.Consumer = b.Security
	if sel.ConsumerProfile != "" {
		b.Consumer = b.open(t, sel, sel.ConsumerProfile)
	}
	t.Logf("aws variant: run %s, account %s (consumer %s), region %s%s", b.Run, b.Security, b.Consumer, b.Region, endpointNote(sel))
	return b
}

func endpointNote(sel Selection) string {
	if sel.Endpoint == "" {
		return ""
	}
	return ", endpoint " + sel.Endpoint
}

// open loads profile (or the environment's static keys when profile is
// "") and returns the account it acts in.
func (b *Backend) open(t testing.TB, sel Selection, profile string) string {
	t.Helper()
	ctx := context.Background()
	opts := []func(*config.LoadOptions) error{config.WithRegion(sel.Region)}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	if sel.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(sel.Endpoint))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		t.Fatalf("aws variant: %v: load profile %q: %v", ErrCredentials, profile, err)
	}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("aws variant: credentials of profile %q unusable (GetCallerIdentity: %v); set AWS_PROFILE/%s to a profile of a test account",
			profile, err, EnvProfile)
	}
	account := aws.ToString(who.Account)
	b.configs[account] = cfg
	return account
}

// Name is "sandbox" or "aws".
func (b *Backend) Name() string { return b.Kind.String() }

// IsAWS reports whether the backend is reached only through public APIs.
func (b *Backend) IsAWS() bool { return b.Kind == KindAWS }

// Config is an SDK configuration acting in account (Security or Consumer).
func (b *Backend) Config(t testing.TB, account string) aws.Config {
	t.Helper()
	cfg, ok := b.configs[account]
	if !ok && b.sb != nil && accountRE.MatchString(account) {
		return b.sb.Config(context.Background(), account) // a seeded sandbox's other accounts
	}
	if !ok {
		t.Fatalf("%s backend has no credentials for account %s (it has %s and %s)", b.Name(), account, b.Security, b.Consumer)
	}
	return cfg.Copy()
}

// RequireSandbox returns the sandbox behind b, or skips an aws variant
// with why: the assertions that follow need the sandbox's clock, faults,
// counters, admin API or seeding, which AWS does not offer.
func (b *Backend) RequireSandbox(t testing.TB, why string) *sandboxrun.Sandbox {
	t.Helper()
	if b.sb == nil {
		t.Skipf("sandbox only: %s", why)
	}
	return b.sb
}

// RequireTwoAccounts skips an aws variant run with one account.
func (b *Backend) RequireTwoAccounts(t testing.TB) {
	t.Helper()
	if b.Security == b.Consumer {
		t.Skipf("needs two accounts: set %s to a profile of a second test account", EnvConsumerProfile)
	}
}

func runID(t testing.TB) string {
	t.Helper()
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(r[:])
}
