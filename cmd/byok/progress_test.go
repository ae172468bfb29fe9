package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// TestWaitReporterPiped: piped, a wait prints a line at the start and one
// per tick (a minute in use), with the time left, and nothing after stop.
func TestWaitReporterPiped(t *testing.T) {
	var b bytes.Buffer
	start := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	clock := []time.Time{start, start.Add(time.Minute), start.Add(2 * time.Minute), start.Add(4 * time.Minute)}
	now := func() time.Time { // only run's goroutine reads the clock
		c := clock[0]
		clock = clock[1:]
		return c
	}
	r := &waitReporter{w: &b, label: "waiting", end: start.Add(3 * time.Minute), now: now}
	ctx, cancel := context.WithCancel(context.Background())
	tick := make(chan time.Time)
	done := make(chan struct{})
	go func() { r.run(ctx, tick); close(done) }()
	for range 3 {
		tick <- time.Time{} // unbuffered: run draws its line before it selects again
	}
	cancel()
	<-done
	want := "waiting: 3m0s left (until 10:03:00Z)\n" +
		"waiting: 2m0s left (until 10:03:00Z)\n" +
		"waiting: 1m0s left (until 10:03:00Z)\n" +
		"waiting: 0s left (until 10:03:00Z)\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// TestWaitReporterTTY: on a terminal the line is redrawn in place and
// cleared when the wait ends.
func TestWaitReporterTTY(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	r := &waitReporter{w: &b, tty: true, label: "watching", end: now.Add(35 * time.Second), now: func() time.Time { return now }}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.run(ctx, nil)
	if got, want := b.String(), "\r\x1b[Kwatching: 35s left\r\x1b[K"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestTimedProgressPrinter: a step line carries the step's duration; a
// step whose begin this process did not see (resumed) has none.
func TestTimedProgressPrinter(t *testing.T) {
	var b bytes.Buffer
	print := timedProgressPrinter(context.Background(), &b, 0)
	p := rotation.Progress{KeyARN: "arn:k1", Alias: "alias/prod/rds", Step: store.StepImport, Phase: store.PhaseBegin}
	print(p)
	p.Phase = store.PhaseEnd
	print(p)
	p.Step, p.Phase = store.StepRotate, store.PhaseFail
	p.Err = errors.New("boom")
	print(p)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !regexp.MustCompile(`alias/prod/rds\s+import\s+done\s+[0-9.]+(µs|ms|s|ns)$`).MatchString(lines[0]) {
		t.Fatalf("step lines:\n%s", b.String())
	}
	if !strings.Contains(lines[1], "FAILED after : boom") {
		t.Fatalf("resumed failed step: %q", lines[1])
	}
	c := newStepClock()
	at := time.Unix(0, 0)
	c.now = func() time.Time { return at }
	c.begin("k", "wrap")
	at = at.Add(1234 * time.Millisecond)
	if got := c.end("k", "wrap"); got != "1.2s" {
		t.Fatalf("duration %q, want 1.2s", got)
	}
	if got := c.end("k", "wrap"); got != "" {
		t.Fatalf("second end %q, want none", got)
	}
}

// TestWatchStepWaitIsReported: while a key's watch step waits (--watch),
// the wait is reported, and it is over before the step's line.
func TestWatchStepWaitIsReported(t *testing.T) {
	var b bytes.Buffer
	print := timedProgressPrinter(context.Background(), &b, 15*time.Minute)
	p := rotation.Progress{KeyARN: "arn:k1", Alias: "alias/prod/rds", Step: store.StepWatch, Phase: store.PhaseBegin}
	print(p)
	p.Phase = store.PhaseEnd
	print(p)
	out := b.String()
	wait := strings.Index(out, "waiting before reading CloudTrail (--watch): 15m0s left")
	done := strings.Index(out, "watch            done")
	if wait < 0 || done < wait {
		t.Fatalf("watch step output:\n%s", out)
	}
}
