package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/store"
)

// writeScanSummary prints counts by verdict, reason and account, and the
// listings that failed.
func writeScanSummary(w io.Writer, s report.Summary, errs []report.ScanError) {
	var parts []string
	for _, v := range compliance.Verdicts() {
		parts = append(parts, fmt.Sprintf("%s %d", v, s.ByVerdict[v.String()]))
	}
	fmt.Fprintf(w, "byok scan: %d resources: %s\n", s.Total, strings.Join(parts, ", "))
	parts = parts[:0]
	for _, r := range compliance.Reasons() {
		if n := s.ByReason[string(r)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", r, n))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "  by reason: %s\n", strings.Join(parts, ", "))
	}
	accounts := make([]string, 0, len(s.ByAccount))
	for a := range s.ByAccount {
		accounts = append(accounts, a)
	}
	slices.Sort(accounts)
	for _, a := range accounts {
		parts = parts[:0]
		for _, v := range compliance.Verdicts() {
			if n := s.ByAccount[a][v.String()]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", v, n))
			}
		}
		fmt.Fprintf(w, "  account %s: %s\n", a, strings.Join(parts, ", "))
	}
	for _, e := range errs {
		fmt.Fprintf(w, "  incomplete: %s %s %s: %s\n", e.Account, e.Region, e.Service, e.Message)
	}
}

// openScanStore opens (creating) the state file of scan --save before the
// scan runs, so an unwritable or wrong state file fails before any output.
// Without --save it returns an empty closer.
func openScanStore(ctx context.Context, f scanFlags) (closer, error) {
	if !f.save {
		return closer{}, nil
	}
	path := f.state
	if path == "" {
		path = store.DefaultPath()
	}
	if err := audit.CheckOrphanHead(path); err != nil {
		return closer{}, err
	}
	st, err := store.OpenMode(ctx, path, store.ModeCreate)
	return closer{st}, err
}

// closer is an optional store.
type closer struct{ *store.Store }

// Close closes the store when there is one.
func (c closer) Close() {
	if c.Store != nil {
		c.Store.Close()
	}
}

// saveScan stores the findings of a complete scan, replayed from the
// spill in one transaction.
func saveScan(ctx context.Context, st closer, out scanned, stderr io.Writer) error {
	if n := len(out.Meta.Errors); n > 0 {
		return &exitError{Code: scanExitIncomplete, Err: fmt.Errorf("not saved: the scan is incomplete (%d listings failed); fix access and scan again", n)}
	}
	id, err := st.SaveScanEach(ctx, out.Meta.ScanTime, out.spill.Len(), func(add func(store.Finding) error) error {
		return out.spill.Each(func(r compliance.Result) error { return add(findingOf(r)) })
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "byok scan: saved %d findings as scan %d in %s\n", out.spill.Len(), id, st.Path())
	return nil
}

func findingsOf(results []compliance.Result) []store.Finding {
	out := make([]store.Finding, len(results))
	for i, r := range results {
		out[i] = findingOf(r)
	}
	return out
}

func findingOf(r compliance.Result) store.Finding {
	res := r.Resource
	return store.Finding{ResourceType: string(res.Type), ResourceID: res.ID, Account: res.Account,
		Region: res.Region, ResourceARN: res.ARN, Name: res.Name, Verdict: r.Verdict.String(),
		Reason: string(r.Reason), Detail: r.Detail, KeyARN: r.KeyARN}
}

// isTerminal reports whether w is a character device (a TTY).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress draws a one-line bar on a terminal; elsewhere it does nothing.
type progress struct {
	w         io.Writer
	total     int
	mu        sync.Mutex
	listed    int
	resources int
}

func newProgress(w io.Writer, total int) *progress {
	if !isTerminal(w) || total <= 0 {
		return &progress{}
	}
	return &progress{w: w, total: total}
}

// step is the scan's Progress callback: one target and service listed.
func (p *progress) step(_ inventory.Target, _ string, n int) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.listed++
	p.resources += n
	const width = 30
	fill := width * p.listed / p.total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d listings, %d resources", strings.Repeat("=", fill), strings.Repeat(" ", width-fill),
		p.listed, p.total, p.resources)
}

// done erases the bar.
func (p *progress) done() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\x1b[K")
}
