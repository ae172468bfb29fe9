//go:build !linux

package delay

import (
	"context"
	"time"
)

// sleepPrecise: no timerfd outside Linux; Sleep uses a time.Timer.
func sleepPrecise(context.Context, time.Duration) (ok, precise bool) { return false, false }
