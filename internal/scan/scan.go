// Package scan is `byok scan`: inventory of every estate account × region,
// key facts read once per key in the owning account, and the pure
// evaluator over each resource. Stream hands each result to a
// report.Writer as soon as its target is listed and its keys are read, in
// report order, holding only a window of targets (inventory.Each) and the
// counts: a 300,000-resource scan needs no more memory than a small one.
// The estate keys' facts are read while the inventory runs, in the order
// of the targets that use them, so the slow, low-quota ListKeyRotations
// calls overlap the listing. Run collects a streamed scan into a report
// for callers that want one. Rendering, saving, progress display and exit
// codes are the CLI's job, and it never prints.
package scan

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/keyfacts"
	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/report"
)

// Options select what to scan.
type Options struct {
	Accounts []string // default: the estate's consumer accounts and the Security account
	Regions  []string // default: the estate's regions
	Now      time.Time
	Source   string // estate file name, for the report
	Version  string // byok version, for the report
	// Progress, when set, is called (from several goroutines) after each
	// target and service is listed.
	Progress func(t inventory.Target, service string, n int)
	// Inventory tunes listing concurrency (zero values: inventory defaults).
	Inventory inventory.Options
	// KeyConcurrency bounds parallel key reads (0: keyfacts default).
	KeyConcurrency int
}

// Deps are the clients a scan uses.
type Deps struct {
	Inventory inventory.Clients
	KMS       func(account, region string) keyfacts.KMS
	// Pace paces the key reads; nil: a pacer of its own on AWS's default
	// quotas.
	Pace *pace.Pacer
}

// Targets is accounts × regions, in that order.
func Targets(accounts, regions []string) []inventory.Target {
	out := make([]inventory.Target, 0, len(accounts)*len(regions))
	for _, a := range accounts {
		for _, r := range regions {
			out = append(out, inventory.Target{Account: a, Region: r})
		}
	}
	return out
}

// Run scans and evaluates. Listing failures are not errors: they are
// reported in the report's Meta.Errors, with every result that could be
// read. Run fails only when ctx ends or the estate aliases cannot be read.
// The report holds every result in memory: byok scan streams instead
// (Stream).
func Run(ctx context.Context, e *estate.Estate, d Deps, o Options) (report.Report, error) {
	rep, _, err := run(ctx, e, d, o)
	return rep, err
}

// run is Run returning the outcome too (key facts index, gaps).
func run(ctx context.Context, e *estate.Estate, d Deps, o Options) (report.Report, Outcome, error) {
	var c collector
	out, err := Stream(ctx, e, d, o, &c)
	if err != nil {
		return report.Report{}, Outcome{}, err
	}
	return report.Report{Meta: out.Meta, Results: c.results, Keys: out.Keys}, out, nil
}

// collector is a sink that keeps every result.
type collector struct{ results []compliance.Result }

func (c *collector) Begin(report.Report) error { return nil }

func (c *collector) Add(r compliance.Result) error {
	c.results = append(c.results, r)
	return nil
}

func (c *collector) End(report.Meta, report.Summary) error { return nil }

func (o Options) withDefaults(e *estate.Estate) Options {
	if len(o.Accounts) == 0 {
		o.Accounts = e.Accounts()
	}
	if len(o.Regions) == 0 {
		o.Regions = e.Regions
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return o
}

func (o Options) meta(e *estate.Estate) report.Meta {
	return report.Meta{ScanTime: o.Now.UTC(), Estate: o.Source, SecurityAccount: e.SecurityAccount,
		Accounts: slices.Clone(o.Accounts), Regions: slices.Clone(o.Regions), Version: o.Version}
}

// NonCompliant counts NON_COMPLIANT results.
func NonCompliant(rep report.Report) int {
	n := 0
	for _, r := range rep.Results {
		if r.Verdict == compliance.NonCompliant {
			n++
		}
	}
	return n
}

// keyBook collects the facts of every key the results resolved to, with
// the estate alias that targets it first among its aliases (the report
// names a key by its first alias).
type keyBook struct {
	ours        map[string]bool   // estate alias names
	estateAlias map[string]string // key ARN → estate alias targeting it
	keys        map[string]compliance.KeyFacts
}

func newKeyBook(e *estate.Estate) *keyBook {
	b := &keyBook{ours: map[string]bool{}, estateAlias: map[string]string{}, keys: map[string]compliance.KeyFacts{}}
	for _, k := range e.Keys() {
		b.ours[k.Alias] = true
	}
	return b
}

// estateAliases learns which key each estate alias targets (once the
// aliases are listed).
func (b *keyBook) estateAliases(e *estate.Estate, idx *compliance.Index) {
	for _, k := range e.Keys() {
		if arn, ok := idx.AliasTarget(k.Account, k.Region, k.Alias); ok {
			b.estateAlias[arn] = k.Alias
		}
	}
}

// add records the facts of arn (once).
func (b *keyBook) add(idx *compliance.Index, arn string) {
	if _, done := b.keys[arn]; arn == "" || done {
		return
	}
	kf, ok := idx.Key(arn)
	if !ok {
		return
	}
	kf.Aliases = slices.Clone(kf.Aliases)
	if a, ok := b.estateAlias[arn]; ok && !slices.Contains(kf.Aliases, a) {
		kf.Aliases = append(kf.Aliases, a)
	}
	slices.SortStableFunc(kf.Aliases, func(x, y string) int { return cmp.Compare(boolRank(!b.ours[x]), boolRank(!b.ours[y])) })
	b.keys[arn] = kf
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
