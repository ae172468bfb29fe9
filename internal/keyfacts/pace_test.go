package keyfacts

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPacerSpacesCallsPerSlot(t *testing.T) {
	p := NewPacer(map[string]float64{opListKeyRotations: 20})
	ctx := context.Background()
	start := time.Now()
	wait := func(n int) {
		for range n {
			if err := p.Wait(ctx, "111111111111", "eu-west-1", opListKeyRotations); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The bucket holds one second of calls less one (19) and starts full.
	wait(19)
	if d := time.Since(start); d > 40*time.Millisecond {
		t.Fatalf("a full bucket's 19 calls waited %v", d)
	}
	// Then one call per 50 ms.
	wait(5)
	if d := time.Since(start); d < 240*time.Millisecond {
		t.Fatalf("24 calls at 20/s took %v, want ≥ 250ms", d)
	}
	start = time.Now()
	for _, slot := range []struct{ account, region, op string }{
		{"222222222222", "eu-west-1", opListKeyRotations},    // another account
		{"111111111111", "eu-central-1", opListKeyRotations}, // another region
		{"111111111111", "eu-west-1", opDescribeKey},         // no rate: not paced
		{"111111111111", "eu-west-1", opDescribeKey},
	} {
		if err := p.Wait(ctx, slot.account, slot.region, slot.op); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 40*time.Millisecond {
		t.Fatalf("calls in other slots waited %v", d)
	}
}

func TestPacerErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	busy := NewPacer(map[string]float64{opListKeyRotations: 0.1})
	_ = busy.Wait(context.Background(), "a", "r", opListKeyRotations) // the one token is gone; the next is 10 s away
	cases := map[string]struct {
		p    *Pacer
		ctx  context.Context
		want error
	}{
		"nil pacer":                 {nil, context.Background(), nil},
		"nil pacer, cancelled":      {nil, cancelled, context.Canceled},
		"waiting, cancelled":        {busy, cancelled, context.Canceled},
		"unpaced op, not cancelled": {NewPacer(nil), context.Background(), nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if err := c.p.Wait(c.ctx, "a", "r", opListKeyRotations); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}
