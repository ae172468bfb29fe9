package scan

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/keyfacts"
	"github.com/byok-dev/byok/internal/report"
)

// Outcome is what a streamed scan knows at its end besides the results it
// handed to the sink.
type Outcome struct {
	Meta    report.Meta    // the scan, with every listing that failed
	Summary report.Summary // counts of every result streamed
	// Keys are the facts of the keys the results resolved to (the map the
	// sink's head carried, complete).
	Keys  map[string]compliance.KeyFacts
	Gaps  []Gap             // where the estate expects something the scan did not find
	Index *compliance.Index // the key facts read
}

// Stream scans and evaluates like Run, but hands each result to sink as
// soon as its target (account × Region) is listed and its keys are read,
// in report order (account, Region, type, label, ID), and keeps nothing
// but counts: memory is bounded by the inventory's window
// (inventory.DefaultWindow targets), not by the estate. The estate keys'
// facts are read in the order of the targets that use them, one reader
// pool per Region, so the first targets can be written while later keys
// are still being read. sink.Begin is called before listing starts and
// sink.End after the last result; a sink error stops the scan.
func Stream(ctx context.Context, e *estate.Estate, d Deps, o Options, sink report.Writer) (Outcome, error) {
	o = o.withDefaults(e)
	ctx, cancel := context.WithCancel(ctx)
	reader := keyfacts.NewReader(e, d.KMS)
	reader.Concurrency = o.KeyConcurrency
	if d.Pace != nil {
		reader.Pace = d.Pace
	}
	targets := sortedTargets(o.Accounts, o.Regions)
	s := &streamer{e: e, o: o, reader: reader, sink: sink, sum: report.NewSummary(),
		book: newKeyBook(e), present: map[inventory.Target]bool{}, aliases: make(chan struct{})}
	s.meta = o.meta(e)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // no key read outlives Stream
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.readKeys(ctx, targets)
	}()
	if err := sink.Begin(report.Report{Meta: s.meta, Keys: s.book.keys}); err != nil {
		return Outcome{}, fmt.Errorf("scan: %w", err)
	}
	io := o.Inventory
	io.Progress = o.Progress
	if err := inventory.Each(ctx, d.Inventory, targets, io, func(b inventory.Batch) error { return s.batch(ctx, b) }); err != nil {
		return Outcome{}, fmt.Errorf("scan: %w", err)
	}
	// A scan that found no resource never waited for the estate aliases;
	// they are still needed for the gaps, and unreadable they fail the
	// scan as they would have with resources.
	if err := s.aliasesRead(ctx); err != nil {
		return Outcome{}, fmt.Errorf("scan: %w", err)
	}
	if err := sink.End(s.meta, s.sum); err != nil {
		return Outcome{}, fmt.Errorf("scan: %w", err)
	}
	out := Outcome{Meta: s.meta, Summary: s.sum, Keys: s.book.keys, Index: reader.Index()}
	out.Gaps = expect(e, s.meta, out.Index, func(account, region string) bool {
		return s.present[inventory.Target{Account: account, Region: region}]
	})
	return out, nil
}

// streamer is one streamed scan's state, used from the emitting goroutine
// only (but for aliases and aliasErr, set before aliases closes).
type streamer struct {
	e        *estate.Estate
	o        Options
	reader   *keyfacts.Reader
	sink     report.Writer
	meta     report.Meta
	sum      report.Summary
	book     *keyBook
	present  map[inventory.Target]bool // targets with at least one resource
	aliases  chan struct{}             // closed once the estate aliases are listed
	aliasErr error
}

// batch evaluates one target's resources and streams the results.
func (s *streamer) batch(ctx context.Context, b inventory.Batch) error {
	for _, te := range b.Errors {
		s.meta.Errors = append(s.meta.Errors, report.ScanError{Account: te.Account, Region: te.Region, Service: te.Service, Message: te.Message})
	}
	if len(b.Resources) == 0 {
		return nil
	}
	s.present[b.Target] = true
	if err := s.aliasesRead(ctx); err != nil {
		return err
	}
	// Reads the keys of this batch not read yet (keys outside the estate,
	// AWS-managed keys) and waits for estate keys being read.
	idx, err := s.reader.Load(ctx, b.Resources)
	if err != nil {
		return fmt.Errorf("read key facts: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	results := make([]compliance.Result, len(b.Resources))
	for i, r := range b.Resources {
		results[i] = compliance.Evaluate(r, idx, s.e, s.o.Now)
	}
	slices.SortStableFunc(results, report.Less)
	for _, r := range results {
		s.book.add(idx, r.KeyARN)
		s.sum.Add(r)
		if err := s.sink.Add(r); err != nil {
			return err
		}
	}
	return nil
}

// aliasesRead waits until the estate aliases are listed.
func (s *streamer) aliasesRead(ctx context.Context) error {
	select {
	case <-s.aliases:
	case <-ctx.Done():
		return ctx.Err()
	}
	if s.aliasErr != nil {
		return fmt.Errorf("read key facts: %w", s.aliasErr)
	}
	return nil
}

// readKeys lists the estate aliases, then reads the estate keys' facts in
// the order of the targets that use them, one pool of readers per Region,
// then any estate key no target named.
func (s *streamer) readKeys(ctx context.Context, targets []inventory.Target) {
	_, s.aliasErr = s.reader.Load(ctx, nil)
	if s.aliasErr == nil {
		s.book.estateAliases(s.e, s.reader.Index())
	}
	close(s.aliases)
	if s.aliasErr != nil {
		return
	}
	idx := s.reader.Index()
	byConsumer := map[string][]estate.Key{}
	for _, k := range s.e.Keys() {
		byConsumer[k.Consumer] = append(byConsumer[k.Consumer], k)
	}
	seen := map[string]bool{}
	byRegion := map[string][]string{}
	for _, t := range targets {
		for _, k := range byConsumer[t.Account] {
			arn, ok := idx.AliasTarget(k.Account, t.Region, k.Alias)
			if ok && !seen[arn] {
				seen[arn] = true
				byRegion[t.Region] = append(byRegion[t.Region], arn)
			}
		}
	}
	var wg sync.WaitGroup
	for _, arns := range byRegion {
		wg.Add(1)
		go func() {
			defer wg.Done()
			readInOrder(ctx, s.reader, arns, cmp.Or(s.o.KeyConcurrency, 16))
		}()
	}
	wg.Wait()
	_ = s.reader.LoadEstate(ctx) // the rest; keys read above are cached
}

// readInOrder reads arns' facts with n readers, starting them in order.
func readInOrder(ctx context.Context, r *keyfacts.Reader, arns []string, n int) {
	next := make(chan string)
	var wg sync.WaitGroup
	for range min(n, len(arns)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for arn := range next {
				r.Key(ctx, arn)
			}
		}()
	}
feed:
	for _, arn := range arns {
		select {
		case next <- arn:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}

// sortedTargets is accounts × regions in report order (account, Region).
func sortedTargets(accounts, regions []string) []inventory.Target {
	t := Targets(accounts, regions)
	slices.SortFunc(t, func(a, b inventory.Target) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region))
	})
	return slices.CompactFunc(t, func(a, b inventory.Target) bool { return a == b })
}
