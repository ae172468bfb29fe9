package keyfacts

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// KMS operations keyfacts calls.
const (
	opDescribeKey      = "DescribeKey"
	opListKeyRotations = "ListKeyRotations"
	opListAliases      = "ListAliases"
	opListResourceTags = "ListResourceTags"
)

// DefaultRates are AWS KMS's default request quotas (requests per second
// per account and Region, "AWS KMS request quotas", KMS Developer Guide)
// for the operations keyfacts calls. ListKeyRotations, at 5 per second,
// is what bounds a scan of many keys.
func DefaultRates() map[string]float64 {
	return map[string]float64{opDescribeKey: 100, opListKeyRotations: 5, opListAliases: 100, opListResourceTags: 100}
}

// Pacer keeps calls of each operation in each account and Region inside
// its quota with a token bucket like AWS's own, which holds one second of
// requests, starts full and refills at the rate. Ours holds one token
// less (at least one): the server counts a call when it arrives, not when
// we send it, and calls sent in a burst arrive spread out, so a bucket
// exactly like the server's gets the first call after the burst throttled.
// A scan
// thus stays inside the quota instead of leaning on throttling retries,
// whose backoff would cost far more than the wait. A nil *Pacer does not
// pace. Safe for concurrent use.
type Pacer struct {
	mu      sync.Mutex
	rates   map[string]float64
	buckets map[paceSlot]*paceBucket
	now     func() time.Time
}

type paceSlot struct{ account, region, op string }

// paceBucket is the time at which the bucket is next full again
// (virtual scheduling): a call is admitted at max(now, full − capacity/rate)
// and moves full by 1/rate.
type paceBucket struct{ full time.Time }

// NewPacer paces the operations of rates; others are not paced.
func NewPacer(rates map[string]float64) *Pacer {
	return &Pacer{rates: rates, buckets: map[paceSlot]*paceBucket{}, now: time.Now}
}

// Wait blocks until op may be sent in account and region, or ctx ends.
func (p *Pacer) Wait(ctx context.Context, account, region, op string) error {
	if p == nil {
		return ctx.Err()
	}
	d := p.reserve(paceSlot{account, region, op})
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

// reserve takes one token and returns how long to wait for it.
func (p *Pacer) reserve(s paceSlot) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	rate := p.rates[s.op]
	if rate <= 0 {
		return 0
	}
	interval := time.Duration(float64(time.Second) / rate)
	capacity := time.Duration(max(1, math.Floor(rate)-1)) * interval // one second of tokens, less one
	now := p.now()
	b := p.buckets[s]
	if b == nil {
		b = &paceBucket{full: now}
		p.buckets[s] = b
	}
	if b.full.Before(now) {
		b.full = now
	}
	at := b.full.Add(-capacity + interval) // the moment the token we need exists
	b.full = b.full.Add(interval)
	return at.Sub(now)
}

// pacedKMS waits for the pacer before every call, so paginators are paced
// page by page.
type pacedKMS struct {
	k               KMS
	p               *Pacer
	account, region string
}

func (c pacedKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	if err := c.p.Wait(ctx, c.account, c.region, opDescribeKey); err != nil {
		return nil, err
	}
	return c.k.DescribeKey(ctx, in, opts...)
}

func (c pacedKMS) ListKeyRotations(ctx context.Context, in *kms.ListKeyRotationsInput, opts ...func(*kms.Options)) (*kms.ListKeyRotationsOutput, error) {
	if err := c.p.Wait(ctx, c.account, c.region, opListKeyRotations); err != nil {
		return nil, err
	}
	return c.k.ListKeyRotations(ctx, in, opts...)
}

func (c pacedKMS) ListAliases(ctx context.Context, in *kms.ListAliasesInput, opts ...func(*kms.Options)) (*kms.ListAliasesOutput, error) {
	if err := c.p.Wait(ctx, c.account, c.region, opListAliases); err != nil {
		return nil, err
	}
	return c.k.ListAliases(ctx, in, opts...)
}

func (c pacedKMS) ListResourceTags(ctx context.Context, in *kms.ListResourceTagsInput, opts ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error) {
	if err := c.p.Wait(ctx, c.account, c.region, opListResourceTags); err != nil {
		return nil, err
	}
	return c.k.ListResourceTags(ctx, in, opts...)
}

// client returns the KMS client of account/region, paced when r.Pace is set.
func (r *Reader) client(account, region string) KMS {
	k := r.Client(account, region)
	if r.Pace == nil {
		return k
	}
	return pacedKMS{k: k, p: r.Pace, account: account, region: region}
}
