package scan_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/scan"
)

// checkSink asserts the Writer contract a streamed scan must keep: Begin
// once, then every result once and in report order, then End once with
// the summary of what was added.
type checkSink struct {
	t        *testing.T
	begun    int
	ended    int
	n        int
	prev     *compliance.Result
	seen     map[[4]string]bool
	keysSeen bool
	head     report.Report
	sum      report.Summary
	failAt   int // Add returns errSinkFull at this result (0: never)
}

var errSinkFull = errors.New("sink full")

func (c *checkSink) Begin(head report.Report) error {
	c.begun++
	c.head = head
	return nil
}

func (c *checkSink) Add(r compliance.Result) error {
	c.n++
	if c.failAt > 0 && c.n == c.failAt {
		return errSinkFull
	}
	if c.begun != 1 || c.ended != 0 {
		c.t.Fatalf("Add after %d Begin and %d End", c.begun, c.ended)
	}
	k := [4]string{r.Resource.Account, r.Resource.Region, string(r.Resource.Type), r.Resource.ID}
	if c.seen[k] {
		c.t.Fatalf("result %v streamed twice", k)
	}
	c.seen[k] = true
	if c.prev != nil && report.Less(*c.prev, r) >= 0 {
		c.t.Fatalf("%v after %v: not in report order", k, c.prev.Resource)
	}
	c.prev = &r
	if _, ok := c.head.Keys[r.KeyARN]; r.KeyARN != "" && !ok {
		c.t.Fatalf("%v: its key %s is not in the head's Keys when it is added", k, r.KeyARN)
	}
	return nil
}

func (c *checkSink) End(_ report.Meta, s report.Summary) error {
	c.ended++
	c.sum = s
	return nil
}

// TestStreamEveryResourceOnceInOrderWithinTheWindow scans 12 accounts × 2
// Regions through the SDK with a window of 2 targets and 2 listings at
// once: every resource reaches the sink exactly once, in report order
// (the targets' own order is not: accounts and Regions are listed out of
// order in the estate), with its key's facts already in the head; no
// target is listed more than the window ahead of the one being written;
// the summary and the outcome count the same results.
func TestStreamEveryResourceOnceInOrderWithinTheWindow(t *testing.T) {
	s := shape{accounts: 12, regions: 2, instances: 2, clusters: 1, tables: 2, buckets: 2, services: 3}
	env := newBenchEnv(t, s)
	const window = 2
	var mu sync.Mutex
	written := 0 // targets the sink has had every result of
	index := map[inventory.Target]int{}
	for i, a := range env.consumers {
		for j, r := range []string{"eu-central-1", "eu-west-1"} { // report order
			index[inventory.Target{Account: a, Region: r}] = 2*i + j
		}
	}
	sink := &checkSink{t: t, seen: map[[4]string]bool{}}
	perTarget := s.resources()
	progress := func(tg inventory.Target, _ string, _ int) {
		mu.Lock()
		defer mu.Unlock()
		if i := index[tg]; i >= written+window {
			t.Errorf("target %d listed while the sink is at target %d: beyond the window of %d", i, written, window)
		}
	}
	counting := countingSink{checkSink: sink, perTarget: perTarget, done: func() { mu.Lock(); written++; mu.Unlock() }}
	out, err := scan.Stream(context.Background(), env.est, scan.Deps{Inventory: newBenchClients(t, env), KMS: newBenchClients(t, env).kms},
		scan.Options{Accounts: reversed(env.consumers), Regions: []string{"eu-west-1", "eu-central-1"}, Progress: progress,
			Inventory: inventory.Options{Concurrency: 2, PerTarget: 2, Window: window}}, &counting)
	if err != nil {
		t.Fatal(err)
	}
	want := s.accounts * s.regions * perTarget
	if sink.n != want || len(sink.seen) != want || sink.ended != 1 {
		t.Fatalf("%d results (%d distinct), End called %d times; want %d once each", sink.n, len(sink.seen), sink.ended, want)
	}
	if sink.sum.Total != want || out.Summary.Total != want || out.Summary.ByVerdict["COMPLIANT"] != want {
		t.Fatalf("summary %+v, outcome %+v; want %d COMPLIANT", sink.sum, out.Summary, want)
	}
	if len(out.Meta.Errors) != 0 || len(out.Gaps) != 0 {
		t.Fatalf("errors %v, gaps %v", out.Meta.Errors, out.Gaps)
	}
}

// countingSink counts finished targets for the window check.
type countingSink struct {
	*checkSink
	perTarget, inTarget int
	done                func()
}

func (c *countingSink) Add(r compliance.Result) error {
	if err := c.checkSink.Add(r); err != nil {
		return err
	}
	if c.inTarget++; c.inTarget == c.perTarget {
		c.inTarget = 0
		c.done()
	}
	return nil
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// TestStreamStopsOnSinkError: a sink that fails (a full disk, a closed
// pipe) stops the scan with that error, not after listing everything.
func TestStreamStopsOnSinkError(t *testing.T) {
	s := shape{accounts: 6, regions: 1, instances: 1, clusters: 1, tables: 1, buckets: 1, services: 3}
	env := newBenchEnv(t, s)
	sink := &checkSink{t: t, seen: map[[4]string]bool{}, failAt: 3}
	var listed sync.Map
	_, err := scan.Stream(context.Background(), env.est, scan.Deps{Inventory: newBenchClients(t, env), KMS: newBenchClients(t, env).kms},
		scan.Options{Accounts: env.consumers, Progress: func(tg inventory.Target, _ string, _ int) { listed.Store(tg, true) },
			Inventory: inventory.Options{Concurrency: 1, PerTarget: 1, Window: 1}}, sink)
	if !errors.Is(err, errSinkFull) {
		t.Fatalf("err %v, want errSinkFull", err)
	}
	n := 0
	listed.Range(func(any, any) bool { n++; return true })
	if n > 2 {
		t.Fatalf("%d targets listed after the sink failed on the first; want at most 2 (window 1)", n)
	}
	if sink.ended != 0 {
		t.Fatal("End called after a failed Add")
	}
}
