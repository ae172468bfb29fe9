//go:build linux

package delay

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestManyWaitsBeyondTheTimerfdBound: more concurrent waits than
// timerfds allowed open all last their delay (the rest on a time.Timer),
// and the descriptors are given back after.
func TestManyWaitsBeyondTheTimerfdBound(t *testing.T) {
	const n = maxOpen + 100
	var wg sync.WaitGroup
	short := make(chan time.Duration, n)
	for range n {
		wg.Go(func() {
			start := time.Now()
			if !Sleep(context.Background(), 5*time.Millisecond) {
				short <- 0
			}
			if d := time.Since(start); d < 5*time.Millisecond {
				short <- d
			}
		})
	}
	wg.Wait()
	close(short)
	for d := range short {
		t.Fatalf("a wait ended after %v, want at least 5ms", d)
	}
	if o := open.Load(); o > int32(cap(pool)) {
		t.Fatalf("%d timerfds still open, want at most the pool's %d", o, cap(pool))
	}
}
