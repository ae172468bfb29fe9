package watch

import (
	"context"
	"sync"
	"testing"
	"time"
)

// lateSource delivers its one failed call only from visible on, as a
// source whose events arrive late does.
type lateSource struct {
	ev      event
	visible time.Time
	mu      sync.Mutex
	reads   []time.Time
}

func (s *lateSource) name() string { return "late source" }

func (s *lateSource) window(_ context.Context, from, to time.Time, page func([]event, bool) error) error {
	now := time.Now()
	s.mu.Lock()
	s.reads = append(s.reads, now)
	s.mu.Unlock()
	if now.Before(s.visible) || s.ev.at.Before(from) || s.ev.at.After(to) {
		return page(nil, false)
	}
	return page([]event{s.ev}, false)
}

// TestWatcherWaitsDelay: a call made just before until and delivered
// within Delay is in the answer: the watcher reads no earlier than
// until+Delay, and a pass covers only up to its start minus Delay.
func TestWatcherWaitsDelay(t *testing.T) {
	until := time.Now()
	msg := bridgeMessage(ev("late", 0, app, "Decrypt", "IncorrectKeyException", []string{keyA}, nil))
	le := logEvent("l1", until.UnixMilli(), msg)
	le.at = until.Add(-100 * time.Millisecond)
	src := &lateSource{ev: le, visible: until.Add(300 * time.Millisecond)}
	w := newWatcher(src, "111111111111", until.Add(-time.Minute))
	w.Delay = 600 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	fs, err := w.Failures(ctx, keyA, until.Add(-time.Minute), until, Own{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].ErrorCode != "IncorrectKeyException" {
		t.Fatalf("failures %+v, want the call delivered within Delay", fs)
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	if first := src.reads[0]; first.Before(until.Add(w.Delay)) {
		t.Fatalf("first read %v after until, want no earlier than Delay %v", first.Sub(until), w.Delay)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if last := src.reads[len(src.reads)-1]; w.covered.After(last.Add(-w.Delay)) {
		t.Fatalf("covered %v beyond the last read's start minus Delay", w.covered)
	}
}
