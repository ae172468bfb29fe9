package pace

import (
	"math"
	"time"
)

// How the Pacer answers a throttling error. The quota of a paced operation
// is known (AWS's default or the applied value), so one throttle now and
// then means the server's bucket and ours disagree by a token — a call
// that arrived early through scheduling or network jitter — not that the
// quota is lower: the Pacer re-aligns (its bucket is empty from now, the
// next call waits one interval) and stretches its spacing a little. Only
// throttles that keep coming (persistStrikes of them, each less than
// persistWindow after the previous or with no success between, however
// slowly a loaded machine retried) say that someone else spends the same
// quota or the real quota is lower: then the rate halves, down to
// minFraction of the quota, and each success adds stepFraction back (AIMD).
// The floor is 1/8 (at most 8 s between GetParametersForImport calls, like
// the SDK's longest backoffs): lower floors made a short storm cost minutes
// of recovery.
const (
	persistStrikes = 3
	minFraction    = 1.0 / 8
	stepFraction   = 1.0 / 16
	// marginStep stretches the spacing by 2% per isolated throttle, up to
	// maxMargin; each success takes marginDecay off again (forty successes
	// undo one step, so the margin settles where about one call in forty
	// or fewer is throttled: a throttle at 1/s costs a whole interval).
	marginStep  = 0.02
	maxMargin   = 1.2
	marginDecay = 0.0005
)

// persistWindow is how close two throttles must be to count as one storm:
// ten intervals of the quota, at least two seconds.
func persistWindow(limit float64) time.Duration {
	return max(2*time.Second, time.Duration(10*float64(time.Second)/limit))
}

// Throttled records a throttling error on k: an isolated one re-aligns
// the bucket at the same rate; one of a storm also halves the rate.
func (p *Pacer) Throttled(k Key) { p.withBucket(k, func(b *bucket) { p.throttledLocked(b) }) }

func (p *Pacer) throttledLocked(b *bucket) {
	p.throttles++
	b.throttled++
	now := p.now()
	if b.inARow || (!b.lastThrottle.IsZero() && now.Sub(b.lastThrottle) < persistWindow(b.limit)) {
		b.strikes++
	} else {
		b.strikes = 1
	}
	b.lastThrottle, b.inARow = now, true
	if b.strikes >= persistStrikes {
		b.rate = math.Max(b.limit*minFraction, b.rate/2)
	} else {
		b.margin = math.Min(maxMargin, b.margin+marginStep)
	}
	b.realign(now)
}

// realign empties the bucket at now: the server had no token for the call
// it refused, so the next call waits one interval and later ones follow
// at the rate (not a burst of the bucket's capacity).
func (b *bucket) realign(now time.Time) {
	if full := now.Add(time.Duration(b.capacity()) * b.spacing()); b.full.Before(full) {
		b.full = full
	}
	b.sent = now
}

// Succeeded records a call of k that was not throttled: the rate grows by
// 1/16 of the quota, up to the quota, and the margin shrinks back.
func (p *Pacer) Succeeded(k Key) { p.withBucket(k, (*bucket).succeeded) }

func (b *bucket) succeeded() {
	b.inARow = false
	if b.rate < b.limit {
		b.rate = math.Min(b.limit, b.rate+b.limit*stepFraction)
	}
	b.margin = math.Max(1, b.margin-marginDecay)
}

// depart is the extra wait of a call whose reserved time has come: a
// bucket of a single token (quotas below three per second) admits a call
// only a whole interval after the previous one arrived, so calls are
// spaced by when they actually leave, not only by when they were due. A
// call that left late (a timer fired late on a busy machine) would
// otherwise be followed by one on time, less than an interval later, and
// throttled. Larger buckets keep a token of slack instead.
func (p *Pacer) depart(k Key) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.bucketLocked(k)
	if b == nil || b.capacity() > 1 {
		return 0
	}
	now := p.now()
	if next := b.sent.Add(b.spacing()); now.Before(next) {
		return next.Sub(now)
	}
	b.sent = now
	return 0
}
