package sandboxrun

import (
	"context"
	"testing"

	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// NewTest starts an in-memory sandbox with every service on 127.0.0.1:0,
// closed when the test ends. With seeded true it holds the demo estate
// (seed.DemoEstate with seed.Demo's key history): accounts 111111111111
// (security), 222222222222 (dev) and 333333333333 (prod), their roles and
// keys. It reads no ambient AWS configuration; use sb.Config(ctx, account)
// for SDK clients.
func NewTest(t testing.TB, seeded bool) *Sandbox {
	t.Helper()
	sb, err := New(Options{})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("close sandbox: %v", err)
		}
	})
	ctx := context.Background()
	if _, err := sb.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	if !seeded {
		return sb
	}
	est, err := seed.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	opts := seed.Demo()
	opts.Resources = DemoResources
	if _, err := seed.Apply(ctx, sb, est, opts); err != nil {
		t.Fatalf("seed demo estate: %v", err)
	}
	return sb
}

// StartDurableTest starts a sandbox on the state file at path with one
// account (id, named name), as a restarted sandbox process would be; a
// test restarts it by closing it (Close is idempotent, and runs again at
// the test's end) and calling StartDurableTest on the same path.
func StartDurableTest(t testing.TB, path, id, name string) *Sandbox {
	t.Helper()
	sb, err := New(Options{StatePath: path})
	if err != nil {
		t.Fatalf("sandbox on %s: %v", path, err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	if _, err := sb.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	if err := sb.AddAccount(id, name); err != nil {
		t.Fatal(err)
	}
	if err := sb.Publish(); err != nil {
		t.Fatal(err)
	}
	return sb
}
