// Package clock is the sandbox's controllable clock: real time plus an offset
// that tests and the admin endpoint can move, so material age, ValidTo and
// import-token expiry are testable without waiting. It must not sleep.
package clock

import (
	"sync/atomic"
	"time"
)

// Clock returns real time shifted by an adjustable offset. The zero value is
// usable and reads real time. Safe for concurrent use.
type Clock struct {
	offset atomic.Int64 // nanoseconds
}

// Now returns the sandbox's current time in UTC.
func (c *Clock) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load())).UTC()
}

// Advance moves the clock forward (or back, if d < 0) by d.
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// Set moves the clock so that Now returns t (plus elapsed real time).
func (c *Clock) Set(t time.Time) { c.offset.Store(int64(time.Until(t))) }

// Offset reports the current shift from real time.
func (c *Clock) Offset() time.Duration { return time.Duration(c.offset.Load()) }
