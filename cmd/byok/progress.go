package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// Progress of long operations, for the rotation commands and watch:
// a wait shows a countdown redrawn each second on a terminal and a line a
// minute when stderr is piped (a log stays readable); step lines carry
// their duration.

// waitReporter reports one wait of known length.
type waitReporter struct {
	w     io.Writer
	tty   bool
	label string
	end   time.Time
	now   func() time.Time
}

// reportWait reports a wait of d on w until ctx ends or the returned stop
// is called (stop waits for the last line, so nothing is drawn after it).
func reportWait(ctx context.Context, w io.Writer, label string, d time.Duration) (stop func()) {
	interval := time.Minute
	tty := isTerminal(w)
	if tty {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	r := &waitReporter{w: w, tty: tty, label: label, end: time.Now().Add(d), now: time.Now}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer t.Stop()
		r.run(ctx, t.C)
	}()
	return func() { cancel(); wg.Wait() }
}

// run draws a line at the start and at each tick until ctx ends; on a
// terminal the line is redrawn in place and cleared at the end.
func (r *waitReporter) run(ctx context.Context, tick <-chan time.Time) {
	r.line()
	for {
		select {
		case <-ctx.Done():
			if r.tty {
				fmt.Fprint(r.w, "\r\x1b[K")
			}
			return
		case <-tick:
			r.line()
		}
	}
}

func (r *waitReporter) line() {
	left := max(0, r.end.Sub(r.now())).Round(time.Second)
	if r.tty {
		fmt.Fprintf(r.w, "\r\x1b[K%s: %s left", r.label, left)
		return
	}
	fmt.Fprintf(r.w, "%s: %s left (until %s)\n", r.label, left, r.end.UTC().Format("15:04:05Z"))
}

// stepClock measures each key's step from its begin to its end.
type stepClock struct {
	mu    sync.Mutex
	begun map[string]time.Time
	now   func() time.Time
}

func newStepClock() *stepClock {
	return &stepClock{begun: map[string]time.Time{}, now: time.Now}
}

func (c *stepClock) begin(key, step string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.begun[key+"\x00"+step] = c.now()
}

// end returns how long the step took, rounded for a human; "" when its
// begin was not seen (a resumed step begun by an earlier process).
func (c *stepClock) end(key, step string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.begun[key+"\x00"+step]
	if !ok {
		return ""
	}
	delete(c.begun, key+"\x00"+step)
	d := c.now().Sub(t)
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// watchStep is the rotation step that waits (--watch) before reading
// CloudTrail.
const watchStep = "watch"

// timedProgressPrinter prints each finished or failed step with its
// duration ("  alias/prod/rds     import           done   1.3s") and,
// while a key's watch step waits for watch, reports the wait (one at a
// time: keys watch in parallel and end together).
func timedProgressPrinter(ctx context.Context, w io.Writer, watch time.Duration) func(rotation.Progress) {
	clock := newStepClock()
	var mu sync.Mutex
	var waiting string // key whose wait is reported
	stop := func() {}
	return func(p rotation.Progress) {
		step := fmt.Sprint(p.Step)
		mu.Lock()
		defer mu.Unlock()
		if p.Phase != store.PhaseBegin && waiting == p.KeyARN {
			stop()
			waiting = ""
		}
		switch p.Phase {
		case store.PhaseBegin:
			clock.begin(p.KeyARN, step)
			if step == watchStep && watch > 0 && waiting == "" {
				waiting = p.KeyARN
				stop = reportWait(ctx, w, "  waiting before reading CloudTrail (--watch)", watch)
			}
		case store.PhaseEnd:
			fmt.Fprintf(w, "  %-18s %-16s done   %s\n", p.Alias, step, clock.end(p.KeyARN, step))
		case store.PhaseFail:
			fmt.Fprintf(w, "  %-18s %-16s FAILED after %s: %v\n", p.Alias, step, clock.end(p.KeyARN, step), p.Err)
		}
	}
}
