package schedule

import (
	"fmt"
	"slices"
	"time"
)

// horizon is how far ahead Check enumerates openings: a year covers
// every monthly or yearly-in-practice expression without enumerating
// minute-level ones forever (maxOpenings caps those).
const (
	horizon     = 366 * 24 * time.Hour
	maxOpenings = 20_000
)

// opening is one occurrence of a window.
type opening struct {
	start, end time.Time
	window     int
}

// Check reports the first problem of a set of windows: a window shorter
// than minKeyRotation (one key's rotation would not fit), or two openings
// that overlap (of two windows, or of one window with itself, e.g. hourly
// for two hours). from anchors the enumeration (any fixed time works:
// the openings repeat).
func Check(ws []Window, minKeyRotation time.Duration, from time.Time) error {
	for i, w := range ws {
		if w.Duration < minKeyRotation {
			return fmt.Errorf("window %d (%s): %w: it lasts %s and one key's rotation takes up to %s; lengthen the window or lower key_rotation_time",
				i+1, w, ErrTooShort, w.Duration, minKeyRotation)
		}
	}
	ops := openings(ws, from)
	for i := 1; i < len(ops); i++ {
		a, b := ops[i-1], ops[i]
		if b.start.Before(a.end) {
			return overlapError(ws, a, b)
		}
	}
	return nil
}

func openings(ws []Window, from time.Time) []opening {
	var ops []opening
	until := from.Add(horizon)
	for i, w := range ws {
		n := 0
		for s := w.NextStart(from); !s.IsZero() && s.Before(until) && n < maxOpenings; s = w.NextStart(s) {
			ops = append(ops, opening{start: s, end: s.Add(w.Duration), window: i})
			n++
		}
	}
	slices.SortFunc(ops, func(a, b opening) int { return a.start.Compare(b.start) })
	return ops
}

func overlapError(ws []Window, a, b opening) error {
	if a.window == b.window {
		return fmt.Errorf("window %d (%s): %w: an opening at %s starts before the one at %s ends (%s); shorten it or open it less often",
			a.window+1, ws[a.window], ErrOverlap, b.start.Format(time.RFC3339), a.start.Format(time.RFC3339), a.end.Format(time.RFC3339))
	}
	return fmt.Errorf("windows %d (%s) and %d (%s): %w at %s; move one so they never share a time",
		a.window+1, ws[a.window], b.window+1, ws[b.window], ErrOverlap, b.start.UTC().Format(time.RFC3339))
}

// Next is the next opening of any window after t: its start, end and index.
func Next(ws []Window, t time.Time) (start, end time.Time, index int) {
	index = -1
	for i, w := range ws {
		s := w.NextStart(t)
		if !s.IsZero() && (start.IsZero() || s.Before(start)) {
			start, end, index = s, s.Add(w.Duration), i
		}
	}
	return start, end, index
}

// ActiveAny is the window open at t, if any.
func ActiveAny(ws []Window, t time.Time) (start, end time.Time, index int, ok bool) {
	for i, w := range ws {
		if s, e, ok := w.Active(t); ok {
			return s, e, i, true
		}
	}
	return time.Time{}, time.Time{}, -1, false
}
