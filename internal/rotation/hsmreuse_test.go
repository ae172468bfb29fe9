package rotation_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// countingHSM is the real SoftHSM2 session, counting which of its
// object calls the engine makes (all of them reach the token).
type countingHSM struct {
	*hsm.Session
	finds, unused atomic.Int64
}

func (c *countingHSM) Find(ctx context.Context, label string) (hsm.Object, error) {
	c.finds.Add(1)
	return c.Session.Find(ctx, label)
}

func (c *countingHSM) FindOrGenerateAES256(ctx context.Context, label string, id []byte) (hsm.Object, bool, error) {
	c.finds.Add(1)
	return c.Session.FindOrGenerateAES256(ctx, label, id)
}

func (c *countingHSM) GenerateAES256(ctx context.Context, label string, id []byte) (hsm.Object, error) {
	c.finds.Add(1) // GenerateAES256 scans for the label first
	return c.Session.GenerateAES256(ctx, label, id)
}

func (c *countingHSM) GenerateUnusedAES256(ctx context.Context, label string, id []byte) (hsm.Object, error) {
	c.unused.Add(1)
	return c.Session.GenerateUnusedAES256(ctx, label, id)
}

// TestFreshRunGeneratesWithoutLabelScans: a run started in this process
// generates each key's object without looking for its label (the journal
// proves none exists) and wraps it by the handle it got; the token ends
// with one object per key.
func TestFreshRunGeneratesWithoutLabelScans(t *testing.T) {
	est, err := estate.Parse("two-regions.yaml", []byte(twoRegionEstate))
	if err != nil {
		t.Fatal(err)
	}
	w := newWorldFor(t, est, &seed.Options{Source: "reuse", DefaultMaterial: seed.Material{Age: 400 * 24 * time.Hour}})
	c := &countingHSM{Session: w.hs}
	w.eng.HSM = c
	ctx := context.Background()
	keys := est.Keys()
	id, err := w.eng.Start(ctx, rotation.Request{Keys: keys, Strategy: estate.StrategyInPlace, ChangeRef: "CHG-reuse"})
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	if c.finds.Load() != 0 || c.unused.Load() != int64(len(keys)) {
		t.Fatalf("%d label look-ups, %d generations without one; want 0 and %d", c.finds.Load(), c.unused.Load(), len(keys))
	}
	for _, k := range keys {
		if _, err := w.hs.Find(ctx, rotation.KeyHSMLabel(id, k)); err != nil {
			t.Errorf("object of %s: %v", k.Alias, err)
		}
	}
}
