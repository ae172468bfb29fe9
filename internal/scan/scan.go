// Package scan is `byok scan`: inventory of every estate account × region,
// key facts read once per key in the owning account, and the pure
// evaluator over each resource. The estate keys' facts are read while the
// inventory runs (they are known up front), so the slow, low-quota
// ListKeyRotations calls overlap the listing. It returns a report;
// rendering, saving, progress display and exit codes are the CLI's job,
// and it never prints.
package scan

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
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
func Run(ctx context.Context, e *estate.Estate, d Deps, o Options) (report.Report, error) {
	rep, _, err := run(ctx, e, d, o)
	return rep, err
}

// run is Run returning the key facts index too (for Expect).
func run(ctx context.Context, e *estate.Estate, d Deps, o Options) (report.Report, *compliance.Index, error) {
	o = o.withDefaults(e)
	reader := keyfacts.NewReader(e, d.KMS)
	reader.Concurrency = o.KeyConcurrency
	if d.Pace != nil {
		reader.Pace = d.Pace
	}
	var wg sync.WaitGroup
	var estateErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		estateErr = reader.LoadEstate(ctx)
	}()
	io := o.Inventory
	io.Progress = o.Progress
	inv := inventory.Collect(ctx, d.Inventory, Targets(o.Accounts, o.Regions), io)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return report.Report{}, nil, fmt.Errorf("scan: %w", err)
	}
	if estateErr != nil {
		return report.Report{}, nil, fmt.Errorf("scan: read key facts: %w", estateErr)
	}
	idx, err := reader.Load(ctx, inv.Resources)
	if err != nil {
		return report.Report{}, nil, fmt.Errorf("scan: read key facts: %w", err)
	}
	rep := report.Report{Meta: o.meta(e)}
	for _, te := range inv.Errors {
		rep.Meta.Errors = append(rep.Meta.Errors, report.ScanError{Account: te.Account, Region: te.Region, Service: te.Service, Message: te.Message})
	}
	rep.Results = make([]compliance.Result, 0, len(inv.Resources))
	for _, r := range inv.Resources {
		rep.Results = append(rep.Results, compliance.Evaluate(r, idx, e, o.Now))
	}
	rep.Keys = keysOf(e, idx, rep.Results)
	return rep, idx, nil
}

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

// keysOf collects the facts of every key the results resolved to, with
// the estate alias that targets it first among its aliases (the report
// names a key by its first alias).
func keysOf(e *estate.Estate, idx *compliance.Index, results []compliance.Result) map[string]compliance.KeyFacts {
	ours := map[string]bool{}
	estateAlias := map[string]string{} // key ARN → estate alias targeting it
	for _, k := range e.Keys() {
		ours[k.Alias] = true
		if arn, ok := idx.AliasTarget(k.Account, k.Region, k.Alias); ok {
			estateAlias[arn] = k.Alias
		}
	}
	keys := map[string]compliance.KeyFacts{}
	for _, r := range results {
		if _, done := keys[r.KeyARN]; r.KeyARN == "" || done {
			continue
		}
		if kf, ok := idx.Key(r.KeyARN); ok {
			kf.Aliases = slices.Clone(kf.Aliases)
			if a, ok := estateAlias[r.KeyARN]; ok && !slices.Contains(kf.Aliases, a) {
				kf.Aliases = append(kf.Aliases, a)
			}
			slices.SortStableFunc(kf.Aliases, func(a, b string) int { return cmp.Compare(boolRank(!ours[a]), boolRank(!ours[b])) })
			keys[r.KeyARN] = kf
		}
	}
	return keys
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
