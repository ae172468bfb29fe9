package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/hubsync"
	"github.com/byok-dev/byok/internal/report"
)

// sendToSecurityHub runs scan --to-security-hub: it prints what Security
// Hub accepted and every finding it refused, and fails (exit 1) when any
// was refused or a call failed.
func sendToSecurityHub(ctx context.Context, env *app.Clients, out scanned, stderr io.Writer) error {
	clients := func(account, region string) hubsync.API { return env.SecurityHub(account, region) }
	res, err := syncPlaces(ctx, clients, out)
	fmt.Fprintf(stderr, "security hub: %d finding(s) imported, %d archived, %d refused\n", res.Imported, res.Archived, len(res.Failed))
	for _, f := range res.Failed {
		fmt.Fprintf(stderr, "security hub: refused %s (%s %s): %s: %s\n", f.ID, f.Account, f.Region, f.Code, f.Message)
	}
	if err != nil {
		return &exitError{Code: exitFailed, Err: fmt.Errorf("send findings to security hub (what was sent is counted above): %w", err)}
	}
	if len(res.Failed) > 0 {
		return &exitError{Code: exitFailed, Err: fmt.Errorf("security hub refused %d finding(s) (listed above); fix the cause and scan again", len(res.Failed))}
	}
	return nil
}

// syncPlaces replays the spilled results one account and Region at a
// time (they were spilled in that order), so a sync holds one place's
// findings, not the scan's; then syncs the scanned places that had no
// result (to archive what byok imported there earlier).
func syncPlaces(ctx context.Context, clients hubsync.Clients, out scanned) (hubsync.Result, error) {
	var total hubsync.Result
	done := map[[2]string]bool{}
	var cur [2]string
	var group []compliance.Result
	flush := func() error {
		if len(group) == 0 && done[cur] {
			return nil
		}
		done[cur] = true
		res, err := hubsync.Sync(ctx, clients, placeReport(out, cur, group))
		total.Imported += res.Imported
		total.Archived += res.Archived
		total.Failed = append(total.Failed, res.Failed...)
		group = group[:0]
		return err
	}
	err := out.spill.Each(func(r compliance.Result) error {
		p := [2]string{r.Resource.Account, r.Resource.Region}
		if p != cur && len(group) > 0 {
			if err := flush(); err != nil {
				return err
			}
		}
		cur = p
		group = append(group, r)
		return nil
	})
	if err == nil && len(group) > 0 {
		err = flush()
	}
	for _, a := range out.Meta.Accounts {
		for _, r := range out.Meta.Regions {
			if cur = [2]string{a, r}; err == nil && !done[cur] {
				err = flush()
			}
		}
	}
	return total, err
}

// placeReport is the part of the scan hubsync needs for one place: its
// results, the scan errors of its account, and the key facts.
func placeReport(out scanned, p [2]string, results []compliance.Result) report.Report {
	m := out.Meta
	m.Accounts, m.Regions, m.Errors = []string{p[0]}, []string{p[1]}, nil
	for _, e := range out.Meta.Errors {
		if e.Account == p[0] {
			m.Errors = append(m.Errors, e)
		}
	}
	return report.Report{Meta: m, Results: slices.Clone(results), Keys: out.Keys}
}
