package delay

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx is done; it reports whether d elapsed.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	if ok, precise := sleepPrecise(ctx, d); precise {
		return ok
	}
	return sleepTimer(ctx, d)
}

// sleepTimer is the portable wait (and the fallback when no timerfd can
// be had, e.g. out of file descriptors).
func sleepTimer(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
