package rotation

import (
	"context"
	"sync"
	"time"
)

// AWS KMS request quotas are per account, per Region and per operation
// (some shared); a throttled call costs a retry with backoff, and the SDK's
// adaptive retry then slows every later call of that client. The engine
// therefore paces every call itself, a little under each quota, so that
// concurrent keys never meet throttling at all.
const (
	opGetParameters = "GetParametersForImport"
	opImport        = "ImportKeyMaterial"
	opRotate        = "RotateKeyOnDemand"
	opCreateKey     = "CreateKey"
	opUpdateAlias   = "UpdateAlias"
	opLookupEvents  = "LookupEvents"
)

// paceMargin spaces paced calls this much wider than 1/rate: calls leave
// exactly 1/rate apart but arrive with jitter, and a bucket holding one
// second of tokens rejects a call that arrives a millisecond early.
const paceMargin = 1.03

// DefaultRates are AWS's per-account, per-Region request quotas (requests
// per second) of the calls a rotation makes. Encrypt and Decrypt share a
// quota of thousands per second and are not paced.
func DefaultRates() map[string]float64 {
	return map[string]float64{
		opGetParameters: 1, opImport: 15, opRotate: 5, opCreateKey: 5, opUpdateAlias: 5,
		"DescribeKey": 100, "ListKeyRotations": 5, "GetKeyRotationStatus": 30, "TagResource": 5,
		"UntagResource": 5, "ListResourceTags": 100, "GetKeyPolicy": 30, "ListAliases": 100,
		"ListKeys": 100, opLookupEvents: 2, "ListGrants": 100, "CreateGrant": 50,
	}
}

// Limits paces operations per (operation, account, region): requests are
// spaced 1/rate apart (plus paceMargin), the first one immediately. A nil
// *Limits does not pace.
type Limits struct {
	mu    sync.Mutex
	rates map[string]float64
	next  map[string]time.Time
}

// NewLimits builds pacing for the given rates.
func NewLimits(rates map[string]float64) *Limits {
	return &Limits{rates: rates, next: map[string]time.Time{}}
}

// Wait blocks until op may be sent in account and region, or ctx ends.
func (l *Limits) Wait(ctx context.Context, op, account, region string) error {
	if l == nil {
		return ctx.Err()
	}
	d := l.reserve(op, account+"/"+region)
	if d <= 0 {
		return ctx.Err()
	}
	return sleepCtx(ctx, d)
}

func (l *Limits) reserve(op, scope string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	rate := l.rates[op]
	if rate <= 0 {
		return 0
	}
	now := time.Now()
	k := op + "/" + scope
	at := l.next[k]
	if at.Before(now) {
		at = now
	}
	l.next[k] = at.Add(time.Duration(paceMargin * float64(time.Second) / rate))
	return at.Sub(now)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
