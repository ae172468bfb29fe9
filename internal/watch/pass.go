package watch

import (
	"context"
	"time"
)

// waitDelivered waits until every event up to the time asked for has had
// Delay to reach the source; false when ctx ended.
func (w *Watcher) waitDelivered(ctx context.Context) bool {
	w.mu.Lock()
	wait := w.need.Add(w.Delay).Sub(w.now())
	w.mu.Unlock()
	if wait <= 0 {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// pass reads one window, [covered-Overlap, start+Skew] (from the watcher's
// start the first time), every page.
func (w *Watcher) pass(ctx context.Context, start time.Time) error {
	w.mu.Lock()
	from := w.from
	if !w.covered.IsZero() {
		from = w.covered.Add(-w.Overlap)
	}
	if from.Before(w.from) {
		from = w.from
	}
	w.mu.Unlock()
	read, pages := 0, 0
	err := w.src.window(ctx, from, start.Add(w.Skew), func(evs []event, more bool) error {
		w.mu.Lock()
		for _, ev := range evs {
			w.add(ev)
		}
		w.mu.Unlock()
		read, pages = read+len(evs), pages+1
		if n := len(evs); n > 0 && more && w.tooBusy(read, pages, start, evs[n-1].at) {
			return errPerKey
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.forget(from)
	w.mu.Unlock()
	return nil
}

// tooBusy reports whether a window not read to its end yet is better left
// to per-key lookups: read events in pages back to oldest (newest first,
// from start) exceed MaxRate (judged from two pages on, so a burst of a
// few calls is not a rate), or the pages reached MaxPassPages. Never for
// a watcher without per-key lookups (a log group of failures).
func (w *Watcher) tooBusy(read, pages int, start, oldest time.Time) bool {
	if !w.lookups {
		return false
	}
	if w.MaxPassPages > 0 && pages >= w.MaxPassPages {
		return true
	}
	if w.MaxRate <= 0 || read < 100 {
		return false
	}
	span := start.Sub(oldest).Seconds()
	return span <= 0 || float64(read)/span > w.MaxRate
}
