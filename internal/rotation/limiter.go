package rotation

import (
	"context"
	"sync"
	"time"
)

// Operations with a low KMS request quota in the Security account; the
// engine paces them itself so concurrent keys stay within AWS quotas
// instead of leaning on throttling retries.
const (
	opGetParameters = "GetParametersForImport"
	opImport        = "ImportKeyMaterial"
	opRotate        = "RotateKeyOnDemand"
	opCreateKey     = "CreateKey"
	opUpdateAlias   = "UpdateAlias"
)

// DefaultRates are AWS KMS's per-account, per-Region request quotas for
// the operations above (requests per second).
func DefaultRates() map[string]float64 {
	return map[string]float64{opGetParameters: 1, opImport: 15, opRotate: 5, opCreateKey: 5, opUpdateAlias: 5}
}

// Limits paces operations per (operation, region): requests are spaced
// 1/rate apart, starting immediately. A nil *Limits does not pace.
type Limits struct {
	mu    sync.Mutex
	rates map[string]float64
	next  map[string]time.Time
}

// NewLimits builds pacing for the given rates.
func NewLimits(rates map[string]float64) *Limits {
	return &Limits{rates: rates, next: map[string]time.Time{}}
}

// Wait blocks until op may be sent in region, or ctx ends.
func (l *Limits) Wait(ctx context.Context, op, region string) error {
	if l == nil {
		return ctx.Err()
	}
	d := l.reserve(op, region)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *Limits) reserve(op, region string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	rate := l.rates[op]
	if rate <= 0 {
		return 0
	}
	now := time.Now()
	k := op + "/" + region
	at := l.next[k]
	if at.Before(now) {
		at = now
	}
	l.next[k] = at.Add(time.Duration(float64(time.Second) / rate))
	return at.Sub(now)
}
