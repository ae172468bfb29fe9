package pace

import (
	"context"
	"math"
	"sync"
	"time"
)

// Key names one quota budget: AWS counts requests per account and Region.
type Key struct {
	Account, Region, Service, Op string
}

// lowRateMargin widens the spacing of quotas below three per second, whose
// bucket holds a single request: calls leave 1/rate apart but arrive with
// jitter, and a server bucket of one token throttles a call that arrives a
// millisecond early. 1.5% (15 ms at 1/s) covers the transit jitter on an
// idle machine; calls are spaced by when they really leave (depart), so a
// late timer costs nothing more, and the margin widens by itself after a
// throttle (Throttled). It was 3% before those two: 250 keys per Region
// paid 7.5 s for it. Faster quotas keep one token of slack in the bucket
// instead (see Pacer).
const lowRateMargin = 1.015

// Pacer keeps the calls of each (account, Region, quota) inside the rate in
// force, with a token bucket like AWS's own that holds one second of
// requests less one (at least one): the server counts a call when it
// arrives, and calls sent in a burst arrive spread out. A nil *Pacer does
// not pace. Safe for concurrent use.
type Pacer struct {
	table   *Table
	mu      sync.Mutex
	applied map[scope]appliedSet
	buckets map[bucketKey]*bucket
	now     func() time.Time
	// throttles counts throttling errors recorded (for benchmarks and
	// progress: how much a run leaned on AIMD).
	throttles int64
}

type scope struct{ account, region, service string }

type bucketKey struct{ account, region, service, quota string }

// bucket schedules by virtual time: full is when the bucket is next full;
// a call is admitted at max(now, full − capacity/rate) and moves full on by
// 1/rate.
type bucket struct {
	limit float64 // applied or default quota
	rate  float64 // current rate, ≤ limit (AIMD)
	full  time.Time
	// margin stretches the spacing after isolated throttles (≥ 1; see
	// Throttled) and shrinks back on successes.
	margin float64
	// sent is when the last call actually left (single-token buckets,
	// see depart); strikes counts throttles that are either less than
	// persistWindow apart or in a row (no success between: inARow), and
	// lastThrottle is the latest.
	sent, lastThrottle time.Time
	strikes            int
	inARow             bool
	throttled          int64 // throttling errors recorded on this bucket
}

// New returns a Pacer on table (Defaults() when nil).
func New(table *Table) *Pacer {
	if table == nil {
		table = Defaults()
	}
	return &Pacer{table: table, applied: map[scope]appliedSet{},
		buckets: map[bucketKey]*bucket{}, now: time.Now}
}

// Wait blocks until a call of k may be sent, or ctx ends. Operations the
// table does not know are not paced.
func (p *Pacer) Wait(ctx context.Context, k Key) error {
	if p == nil {
		return ctx.Err()
	}
	d := p.reserve(k)
	for {
		if d > 0 {
			if err := sleep(ctx, d); err != nil {
				return err
			}
		}
		if d = p.depart(k); d <= 0 {
			return ctx.Err()
		}
	}
}

func (p *Pacer) reserve(k Key) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.bucketLocked(k)
	if b == nil {
		return 0
	}
	now := p.now()
	capacity := b.capacity()
	interval := b.spacing()
	at := b.full.Add(-time.Duration(capacity-1) * interval)
	if at.Before(now) {
		at = now
	}
	if b.full.Before(now) {
		b.full = now
	}
	b.full = b.full.Add(interval)
	return at.Sub(now)
}

// capacity is how many calls the bucket lets through at once: one
// second's requests less one, at least one.
func (b *bucket) capacity() float64 { return math.Max(1, math.Floor(b.rate)-1) }

// spacing is the interval between calls at the bucket's rate and margin.
func (b *bucket) spacing() time.Duration {
	d := float64(time.Second) / b.rate * b.margin
	if b.rate < 3 {
		d *= lowRateMargin
	}
	return time.Duration(math.Round(d))
}

func (p *Pacer) bucketLocked(k Key) *bucket {
	q, ok := p.table.Lookup(k.Service, k.Op)
	if !ok {
		return nil
	}
	bk := bucketKey{k.Account, k.Region, k.Service, q.Name}
	b := p.buckets[bk]
	if b == nil {
		limit := p.limitLocked(k, q)
		b = &bucket{limit: limit, rate: limit, margin: 1}
		p.buckets[bk] = b
	}
	return b
}

// Rate is the rate in force for k and the quota it is limited by
// (0, 0 for an operation the table does not know).
func (p *Pacer) Rate(k Key) (rate, limit float64) {
	p.withBucket(k, func(b *bucket) { rate, limit = b.rate, b.limit })
	return rate, limit
}

// withBucket runs f on k's bucket under the Pacer's lock; it does nothing
// on a nil Pacer or for an operation the table does not know.
func (p *Pacer) withBucket(k Key, f func(*bucket)) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := p.bucketLocked(k); b != nil {
		f(b)
	}
}

// Throttles is how many throttling errors were recorded on paced
// operations.
func (p *Pacer) Throttles() int64 {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttles
}

// ThrottlesOf is how many throttling errors were recorded on k's quota in
// k's account and Region, and the spacing margin in force there (1 when
// no throttle has widened it).
func (p *Pacer) ThrottlesOf(k Key) (n int64, margin float64) {
	p.withBucket(k, func(b *bucket) { n, margin = b.throttled, b.margin })
	return n, margin
}
