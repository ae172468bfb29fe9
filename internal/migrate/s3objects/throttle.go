package s3objects

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Backoff bounds after S3 throttles (503 SlowDown) past the SDK's retries.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 10 * time.Second
)

// gate is shared by the workers: after a throttle every worker waits
// until the pause ends before its next call, so the request rate drops
// at once and recovers when S3 accepts again.
type gate struct {
	mu    sync.Mutex
	until time.Time
	level int // consecutive throttles; 0 after a success
}

func (g *gate) wait(ctx context.Context) error {
	g.mu.Lock()
	d := time.Until(g.until)
	g.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (g *gate) throttled() {
	g.mu.Lock()
	defer g.mu.Unlock()
	d := min(maxBackoff, minBackoff<<min(g.level, 10))
	d = d/2 + rand.N(d/2+1) // jitter
	if u := time.Now().Add(d); u.After(g.until) {
		g.until = u
	}
	g.level++
}

func (g *gate) ok() {
	g.mu.Lock()
	g.level = 0
	g.mu.Unlock()
}

// retry runs call, backing off on throttling up to MaxThrottleRetries.
func (e *engine) retry(ctx context.Context, call func() error) error {
	for n := 0; ; n++ {
		if err := e.gate.wait(ctx); err != nil {
			return err
		}
		err := call()
		if err == nil || !isThrottle(err) {
			if err == nil {
				e.gate.ok()
			}
			return err
		}
		if n >= e.opts.MaxThrottleRetries {
			return err
		}
		e.gate.throttled()
	}
}

func isThrottle(err error) bool {
	return isCode(err, "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException")
}
