// Package faults injects latency, errors and AWS request-quota throttling
// into sandbox calls. Rules are set by flags or the admin endpoint; quotas
// are token buckets per (account, region, service, quota group) filled at
// AWS's documented rates. It decides; the server applies the decision.
package faults

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// Rule injects latency and/or an error into matching calls. Empty match
// fields match anything.
type Rule struct {
	Service   string        `json:"service,omitempty"`
	Operation string        `json:"operation,omitempty"`
	Account   string        `json:"account,omitempty"`
	Latency   time.Duration `json:"latency,omitempty"`
	// Error fields: Code set means inject an error with Probability
	// (1 when zero), at most Count times (unlimited when zero).
	Code        string  `json:"code,omitempty"`
	Status      int     `json:"status,omitempty"`
	Message     string  `json:"message,omitempty"`
	Probability float64 `json:"probability,omitempty"`
	Count       int     `json:"count,omitempty"`
	// After makes the error a lost answer: the call runs and takes effect,
	// and the client gets the error instead of the real answer (a network
	// that dropped the response). Latency is ignored on such rules.
	After bool `json:"after,omitempty"`
}

// Quota is a request rate limit: Ops share one bucket (AWS's "shared"
// quotas such as KMS cryptographic operations).
type Quota struct {
	Name      string   `json:"name"`
	Ops       []string `json:"ops"`
	PerSecond float64  `json:"perSecond"`
}

// ThrottleError builds a service's throttling error.
type ThrottleError func() *awsproto.Error

// Injector holds rules and quota buckets. Safe for concurrent use.
type Injector struct {
	mu       sync.Mutex
	rules    []Rule
	enforce  bool
	quotas   map[string][]Quota // service → quotas
	throttle map[string]ThrottleError
	buckets  map[bucketKey]*bucket
	applied  map[appliedKey]float64 // Service Quotas applied values
	now      func() time.Time       // real time: quotas are wall-clock rates
	// suspended counts Suspend calls not yet resumed: while above zero no
	// rule, latency or quota applies (seeding builds the world as it was;
	// it is not traffic).
	suspended int
}

type bucketKey struct{ account, region, service, quota string }

type bucket struct {
	tokens float64
	last   time.Time
}

// New returns an injector with no rules and quotas off.
func New() *Injector {
	return &Injector{quotas: map[string][]Quota{}, throttle: map[string]ThrottleError{},
		buckets: map[bucketKey]*bucket{}, applied: map[appliedKey]float64{}, now: time.Now}
}

// Register declares a service's quotas and its throttling error.
func (in *Injector) Register(service string, qs []Quota, te ThrottleError) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.quotas[service] = qs
	in.throttle[service] = te
}

// SetRules replaces the rules.
func (in *Injector) SetRules(rs []Rule) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rules = append([]Rule(nil), rs...)
}

// Rules returns a copy of the rules.
func (in *Injector) Rules() []Rule {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]Rule(nil), in.rules...)
}

// EnforceQuotas switches AWS request-quota throttling on or off.
func (in *Injector) EnforceQuotas(on bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.enforce = on
	in.buckets = map[bucketKey]*bucket{}
}

// QuotasEnforced reports whether quotas are on.
func (in *Injector) QuotasEnforced() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.enforce
}

// Suspend switches every rule, latency and quota off until the returned
// resume function is called (calls nest).
func (in *Injector) Suspend() (resume func()) {
	in.mu.Lock()
	in.suspended++
	in.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			in.mu.Lock()
			in.suspended--
			in.mu.Unlock()
		})
	}
}

// Decide returns the latency to add and the error to return (nil: none)
// for one call.
func (in *Injector) Decide(service, op, account, region string) (time.Duration, *awsproto.Error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.suspended > 0 {
		return 0, nil
	}
	var delay time.Duration
	for i := range in.rules {
		r := &in.rules[i]
		if r.After || !r.matches(service, op, account) {
			continue
		}
		delay += r.Latency
		if e := r.fire(); e != nil {
			return delay, e
		}
	}
	if in.enforce && !in.take(service, op, account, region) {
		if te := in.throttle[service]; te != nil {
			return delay, te()
		}
		return delay, &awsproto.Error{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	return delay, nil
}

// DecideAfter returns the error that replaces the answer of a call that
// has already run (nil: deliver the real answer). Only After rules count.
func (in *Injector) DecideAfter(service, op, account string) *awsproto.Error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.suspended > 0 {
		return nil
	}
	for i := range in.rules {
		r := &in.rules[i]
		if !r.After || !r.matches(service, op, account) {
			continue
		}
		if e := r.fire(); e != nil {
			return e
		}
	}
	return nil
}

func (r *Rule) matches(service, op, account string) bool {
	return (r.Service == "" || r.Service == service) &&
		(r.Operation == "" || r.Operation == op) &&
		(r.Account == "" || r.Account == account)
}

func (r *Rule) fire() *awsproto.Error {
	if r.Code == "" {
		return nil
	}
	if r.Count < 0 {
		return nil // exhausted
	}
	p := r.Probability
	if p == 0 {
		p = 1
	}
	if rand.Float64() >= p {
		return nil
	}
	if r.Count > 0 {
		r.Count--
		if r.Count == 0 {
			r.Count = -1
		}
	}
	st := r.Status
	if st == 0 {
		st = http.StatusInternalServerError
	}
	msg := r.Message
	if msg == "" {
		msg = "injected fault"
	}
	return &awsproto.Error{Status: st, Code: r.Code, Message: msg, Server: st >= 500}
}

// take consumes one token from every quota bucket that covers op; buckets
// hold at most one second of tokens (AWS quotas are per-second) and fill
// at the applied value where one is set (SetApplied).
func (in *Injector) take(service, op, account, region string) bool {
	now := in.now()
	for _, q := range in.quotas[service] {
		if !covers(q, op) {
			continue
		}
		k := bucketKey{account, region, service, q.Name}
		limit := in.limitLocked(account, region, service, q)
		b := in.buckets[k]
		if b == nil {
			b = &bucket{tokens: max(1, limit), last: now}
			in.buckets[k] = b
		}
		// A quota below one per second (0.25: one call every four
		// seconds) still admits a whole call once its token has grown.
		b.tokens = min(max(1, limit), b.tokens+now.Sub(b.last).Seconds()*limit)
		b.last = now
		if b.tokens < 1 {
			return false
		}
		b.tokens--
	}
	return true
}

func covers(q Quota, op string) bool {
	for _, o := range q.Ops {
		if o == op {
			return true
		}
	}
	return false
}
