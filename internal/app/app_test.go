package app_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
	"github.com/byok-dev/byok/internal/store"
)

// TestOpen wires the application against the sandbox: one client per
// service, account and Region (cached), the engine on the same clients,
// the operator resolved through the operator role, and Close releases the
// store (a second Open of the same file works).
func TestOpen(t *testing.T) {
	ctx := context.Background()
	est, err := seed.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	sb := sandboxrun.NewTest(t, false)
	if _, err := seed.Apply(ctx, sb, est, seed.Demo()); err != nil {
		t.Fatal(err)
	}
	base := sb.Config(ctx, est.SecurityAccount)
	base.Region = est.PrimaryRegion()
	path := filepath.Join(t.TempDir(), "state.db")
	a, err := app.Open(ctx, app.Options{Estate: est, AWS: base, StatePath: path, StateMode: store.ModeCreate, Operator: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.AWS.KMS(est.SecurityAccount, "eu-west-1") != a.AWS.KMS(est.SecurityAccount, "eu-west-1") {
		t.Error("the client cache built a second KMS client for the same account and Region")
	}
	if !strings.Contains(a.Engine.Operator, "byok-operator") || a.Engine.Store != a.Store || a.Engine.Clients == nil {
		t.Errorf("engine not wired: operator %q, store %p/%p", a.Engine.Operator, a.Engine.Store, a.Store)
	}
	if a.Engine.HSM != nil {
		t.Error("an App opened without an HSM session gave the engine one")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := app.Open(ctx, app.Options{Estate: est, AWS: base, StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Store.GetRun(ctx, store.NewRunID(time.Now())); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("reopened store: %v", err)
	}
}
