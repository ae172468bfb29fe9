package rotation_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
	"github.com/byok-dev/byok/internal/store"
	"github.com/byok-dev/byok/internal/watch"
	"github.com/byok-dev/byok/internal/watch/watchtest"
)

// world is one integration test's sandbox (seeded with the demo estate),
// SoftHSM2 token, state store and engine, reached through the real SDK
// over HTTP with every ambient AWS setting replaced.
type world struct {
	sb    *sandboxrun.Sandbox
	est   *estate.Estate
	st    *store.Store
	log   *audit.Log
	tok   *hsmtest.Token
	hs    *hsm.Session
	accts *awsx.Accounts
	eng   *rotation.Engine
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// useShm moves TMPDIR (and so t.TempDir and the SoftHSM2 token) to
// /dev/shm when it exists: token writes are fsync-bound on disk.
func useShm(t testing.TB) {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err != nil || !fi.IsDir() {
		return
	}
	dir, err := os.MkdirTemp("/dev/shm", "byok-rotation-test")
	if err != nil {
		return
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("TMPDIR", dir)
}

// isolateAWS points the SDK at the sandbox as the Security account's admin
// user and hides any ambient configuration.
func isolateAWS(t testing.TB, sb *sandboxrun.Sandbox, account string) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	akid, secret := sandbox.AccountKeys(account)
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_ENDPOINT_URL": sb.URL(), "AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret,
		"AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_REGION": sb.Region(),
	} {
		t.Setenv(k, v)
	}
}

// newWorld is a world on the demo estate (seed.Demo's key history).
func newWorld(t testing.TB, seeded bool) *world {
	t.Helper()
	est, err := seed.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	opts := seed.Demo()
	if !seeded {
		return newWorldFor(t, est, nil)
	}
	return newWorldFor(t, est, &opts)
}

// newWorldFor seeds est with opts (nil: not seeded).
func newWorldFor(t testing.TB, est *estate.Estate, opts *seed.Options) *world {
	t.Helper()
	useShm(t)
	ctx := context.Background()
	w := &world{sb: sandboxrun.NewTest(t, false), logs: &syncBuffer{}, est: est}
	if opts != nil {
		if _, err := seed.Apply(ctx, w.sb, est, *opts); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	isolateAWS(t, w.sb, est.SecurityAccount)
	base, err := awsx.Load(ctx, est.PrimaryRegion())
	if err != nil {
		t.Fatal(err)
	}
	w.accts = awsx.NewAccounts(base, est.SecurityAccount, est.Roles.Operator, est.Roles.Verify)
	w.openStore(t)
	w.tok = hsmtest.NewSoftHSM(t)
	if w.hs, err = hsm.Open(ctx, w.tok.ParsedURI(t), hsm.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.hs.Close() })
	w.eng = w.engine(t)
	return w
}

func (w *world) openStore(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w.st = st
	if w.log, err = audit.Open(ctx, st); err != nil {
		t.Fatal(err)
	}
}

func (w *world) engine(t testing.TB) *rotation.Engine {
	t.Helper()
	op, err := awsx.CallerARN(context.Background(), w.accts.For(w.est.SecurityAccount))
	if err != nil {
		t.Fatal(err)
	}
	return &rotation.Engine{Estate: w.est, Store: w.st, Clients: &clients{accts: w.accts}, HSM: w.hs,
		Audit: rotation.AuditLog{Log: w.log}, Limits: pace.New(nil), Operator: op,
		Algorithm: hsm.RSAES_OAEP_SHA_1, Poll: time.Second, RotateTimeout: time.Minute,
		Logger: slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
}

// clients adapts SDK clients built from awsx configurations to
// rotation.Clients (the same wiring as cmd/byok).
type clients struct {
	accts *awsx.Accounts
	mu    sync.Mutex
	kms   map[string]*kms.Client
}

func (c *clients) client(account, region string) *kms.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kms == nil {
		c.kms = map[string]*kms.Client{}
	}
	k := account + "/" + region
	if c.kms[k] == nil {
		c.kms[k] = kms.NewFromConfig(awsx.WithRegion(c.accts.For(account), region))
	}
	return c.kms[k]
}

func (c *clients) KMS(account, region string) rotation.KMS { return c.client(account, region) }
func (c *clients) Crypto(account, region string) rotation.CryptoKMS {
	return c.client(account, region)
}
func (c *clients) Trail(account, region string) rotation.Trail {
	return cloudtrail.NewFromConfig(awsx.WithRegion(c.accts.For(account), region))
}

// Logs and Rules read the eventbridge watch source (rotation.WatchClients).
func (c *clients) Logs(account, region string) watch.LogsReader {
	return cloudwatchlogs.NewFromConfig(awsx.WithRegion(c.accts.For(account), region))
}
func (c *clients) Rules(account, region string) watch.Rules {
	return eventbridge.NewFromConfig(awsx.WithRegion(c.accts.For(account), region))
}

// deployWatchIn creates the deploy/ log group and rule in account and region.
func (w *world) deployWatchIn(tb testing.TB, account, region string) {
	tb.Helper()
	ctx := context.Background()
	cfg := w.sb.Config(ctx, account)
	cfg.Region = region
	src := watchtest.Source{Account: account, Region: region, LogGroup: estate.DefaultWatchLogGroup, Rule: estate.DefaultWatchRule}
	if err := watchtest.Deploy(ctx, cloudwatchlogs.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg), src); err != nil {
		tb.Fatalf("deploy the watch source in %s %s: %v", account, region, err)
	}
}

// deployWatchSource creates, in every account and Region of the estate,
// what deploy/'s KmsFailedCallsWatch creates (as each account's admin),
// and sets the estate's watch source to it with delay as delivery_delay.
func (w *world) deployWatchSource(tb testing.TB, delay time.Duration) {
	tb.Helper()
	accounts := []string{w.est.SecurityAccount}
	for _, e := range w.est.Environments {
		accounts = append(accounts, e.Account)
	}
	for _, region := range w.est.Regions {
		for _, acct := range accounts {
			w.deployWatchIn(tb, acct, region)
		}
	}
	w.est.Watch = estate.Watch{Source: estate.WatchEventBridge, LogGroup: estate.DefaultWatchLogGroup,
		Rule: estate.DefaultWatchRule, DeliveryDelay: delay}
}

// admin is a KMS client of account's admin user (the test acting as an
// operator outside byok).
func (w *world) admin(account, region string) *kms.Client {
	cfg := w.sb.Config(context.Background(), account)
	cfg.Region = region
	return kms.NewFromConfig(cfg)
}

// consumer is a KMS client acting in a consumer account through its
// verify role, as an application there would.
func (w *world) consumer(account string) *kms.Client {
	return kms.NewFromConfig(w.accts.For(account))
}

func (w *world) key(t testing.TB, alias string) estate.Key {
	t.Helper()
	for _, k := range w.est.Keys() {
		if k.Alias == alias && k.Region == w.est.PrimaryRegion() {
			return k
		}
	}
	t.Fatalf("no key %s in the demo estate", alias)
	return estate.Key{}
}

// materials lists every material of a key as the Security account sees it.
func (w *world) materials(t testing.TB, keyID, region string) []types.RotationsListEntry {
	t.Helper()
	out, err := w.admin(w.est.SecurityAccount, region).ListKeyRotations(context.Background(), &kms.ListKeyRotationsInput{
		KeyId: aws.String(keyID), IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	if err != nil {
		t.Fatal(err)
	}
	return out.Rotations
}

func (w *world) describe(t testing.TB, keyID, region string) *types.KeyMetadata {
	t.Helper()
	d, err := w.admin(w.est.SecurityAccount, region).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		t.Fatal(err)
	}
	return d.KeyMetadata
}
