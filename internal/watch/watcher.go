package watch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// kmsSource is the EventSource of every KMS event; LookupEvents takes it
// as its one lookup attribute (AttributeKey EventSource), so one paged
// query returns every KMS call of the account and Region, whatever key.
const kmsSource = "kms.amazonaws.com"

// Default tuning of a Watcher (see its fields).
const (
	DefaultOverlap = 2 * time.Second
	// DefaultSkew allows for the clocks of byok's host and CloudTrail
	// (NTP-synchronised) and CloudTrail's whole-second event times. It is
	// not a minute: a key's lookup that waits its turn under the quota
	// would page through everything its key saw in that minute.
	DefaultSkew = 5 * time.Second
	// DefaultMaxRate is half of what LookupEvents can read (2 × 50 per
	// second), leaving room for the overlaps and for other readers.
	DefaultMaxRate = 50
	// DefaultMaxPassPages is 20 seconds of LookupEvents' quota.
	DefaultMaxPassPages = 40
)

// Watcher reads the KMS events of one account and Region once for many
// keys: it pages LookupEvents(EventSource=kms.amazonaws.com) over
// successive time windows, each starting Overlap before the end of the
// last (CloudTrail delivers late; event times are whole seconds) and
// de-duplicated by EventId, and keeps only the failed calls, indexed by
// the key ARNs they name. Its LookupEvents calls grow with the time it
// covers and the account's KMS traffic, not with the number of keys asking.
// It reads only while someone waits for a time it has not covered yet.
// Create with NewWatcher, run with Run, ask with Failures.
type Watcher struct {
	src   Source
	trail Trail // per-key lookups when the stream is too busy
	// lookups: the source may be too busy and callers may look their
	// key up in trail instead (CloudTrail; not a log group of failures).
	lookups bool
	account string
	from    time.Time
	// Overlap is how far each window reaches back into the last one: an
	// event CloudTrail delivers more than Overlap after the end of the
	// window that covered its time is not seen (see the package comment).
	Overlap time.Duration
	// Skew is how far past a window's start the window's EndTime reaches,
	// and past a caller's until the failures it is given
	// (clocks differ; CloudTrail's event time is the service's).
	Skew time.Duration
	// Delay is how late an event may reach the source after its call
	// (the estate's delivery_delay for a log group): a pass started at T
	// has seen every event up to T-Delay, so a caller asking about until
	// is answered by a pass started at until+Delay or later, and the
	// watcher waits for that time before it reads. Zero for CloudTrail,
	// where the operator's watch window is that wait.
	Delay time.Duration
	// Now is the watcher's clock (time.Now when nil).
	Now func() time.Time
	// MaxRate is the KMS event rate (events per second) above which the
	// watcher stops reading the whole stream and each caller looks its
	// key up by ResourceName instead (FailuresExcept): LookupEvents reads
	// at most 2 pages of 50 per second per account and Region, so a
	// stream busier than that can never be caught up with, while a key's
	// own lookup reads only that key's events.
	MaxRate float64
	// MaxPassPages is the most pages one window may take before the
	// watcher prefers per-key lookups as well: a window that long (a run
	// resumed long after it began, a long watch window) costs more than
	// the keys' own lookups.
	MaxPassPages int

	mu       sync.Mutex
	covered  time.Time // every window up to here was read (zero: none yet)
	need     time.Time // the latest until asked for
	wake     chan struct{}
	progress chan struct{} // closed and replaced when a pass ends
	passErr  error         // the last pass's error (nil after a good pass)
	perKey   bool          // the stream is too busy: callers look up their key
	seen     map[string]time.Time
	failed   map[string][]failedCall
}

// failedCall is one failed KMS call kept for the keys it names.
type failedCall struct {
	id  string
	at  time.Time
	rec record
}

// NewWatcher watches account's KMS events through t from from (the
// earliest time any caller will ask about) on.
func NewWatcher(t Trail, account string, from time.Time) *Watcher {
	w := newWatcher(TrailSource(t), account, from)
	w.trail, w.lookups, w.MaxRate, w.MaxPassPages = t, true, DefaultMaxRate, DefaultMaxPassPages
	return w
}

// NewLogWatcher watches account's failed KMS calls in the log group the
// deploy/ EventBridge rule fills (LogSource): it holds failures only, so
// the watcher has no rate cap and never falls back to per-key lookups.
func NewLogWatcher(l Logs, group, account string, from time.Time) *Watcher {
	return newWatcher(LogSource(l, group), account, from)
}

func newWatcher(src Source, account string, from time.Time) *Watcher {
	return &Watcher{src: src, account: account, from: from, Overlap: DefaultOverlap, Skew: DefaultSkew,
		wake: make(chan struct{}, 1), progress: make(chan struct{}),
		seen: map[string]time.Time{}, failed: map[string][]failedCall{}}
}

// WatchError is a failed read of the watcher's account; keys waiting on
// the pass that failed receive it.
type WatchError struct {
	Account string
	Source  string // what was read, e.g. "CloudTrail LookupEvents"
	Err     error
}

func (e *WatchError) Error() string {
	return fmt.Sprintf("read %s in %s: %v", e.Source, e.Account, e.Err)
}

func (e *WatchError) Unwrap() error { return e.Err }

func (w *Watcher) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Failures returns the failed KMS calls on keyARN whose event time is in
// [since, until+Skew], except own's, grouped as FailuresExcept groups
// them. It waits until the watcher has read every window up to until
// (a window read after until), or ctx ends, or that read fails.
func (w *Watcher) Failures(ctx context.Context, keyARN string, since, until time.Time, own Own) ([]Failure, error) {
	if err := w.waitCovered(ctx, until); errors.Is(err, errPerKey) {
		return FailuresExcept(ctx, w.trail, w.account, keyARN, since, until.Add(w.Skew), own)
	} else if err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	groups := map[string]*Failure{}
	for _, c := range w.failed[keyARN] {
		if c.at.Before(since) || c.at.After(until.Add(w.Skew)) {
			continue
		}
		addRecord(groups, w.account, c.rec, c.at, own)
	}
	return sorted(groups), nil
}

// waitCovered asks for until and waits for a pass that covers it.
func (w *Watcher) waitCovered(ctx context.Context, until time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if until.After(w.need) {
		w.need = until
	}
	for w.covered.IsZero() || w.covered.Before(until) {
		if w.perKey {
			return errPerKey
		}
		select {
		case w.wake <- struct{}{}:
		default:
		}
		ch := w.progress
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			w.mu.Lock()
			return ctx.Err()
		case <-ch:
		}
		w.mu.Lock()
		if w.passErr != nil && (w.covered.IsZero() || w.covered.Before(until)) {
			return w.passErr
		}
	}
	return nil
}

// Run reads windows while callers wait, until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	for {
		if !w.idleUntilNeeded(ctx) {
			return
		}
		if !w.waitDelivered(ctx) {
			return
		}
		start := w.now()
		err := w.pass(ctx, start)
		w.mu.Lock()
		if errors.Is(err, errPerKey) {
			w.perKey = true
		} else if err != nil {
			// The callers waiting now get the error; the next caller's
			// wait starts a new pass from the same place.
			w.passErr, w.need = &WatchError{Account: w.account, Source: w.src.name(), Err: err}, w.covered
		} else {
			w.passErr, w.covered = nil, start.Add(-w.Delay)
		}
		close(w.progress)
		w.progress = make(chan struct{})
		perKey := w.perKey
		w.mu.Unlock()
		if ctx.Err() != nil || perKey {
			return
		}
	}
}

// errPerKey ends a pass that found the stream busier than MaxRate.
var errPerKey = errors.New("the account's KMS events are too many to read as one stream")

// idleUntilNeeded blocks until some caller waits for a time not covered
// yet; false when ctx ended.
func (w *Watcher) idleUntilNeeded(ctx context.Context) bool {
	for {
		w.mu.Lock()
		needed := !w.need.IsZero() && (w.covered.IsZero() || w.need.After(w.covered))
		w.mu.Unlock()
		if needed {
			return ctx.Err() == nil
		}
		select {
		case <-ctx.Done():
			return false
		case <-w.wake:
		}
	}
}
