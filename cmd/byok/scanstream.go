package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/scan"
)

// scanned is a streamed scan's outcome and, when --save or
// --to-security-hub need every result again, the results spilled to disk.
type scanned struct {
	scan.Outcome
	spill *report.Spill // nil when nothing needs the results again
}

// streamScan runs the scan, writing the report to stdout or --out as the
// results arrive (scan.Stream). --out is written to a temporary file in
// its directory and renamed over FILE only when the scan completes, so a
// failed scan never leaves a truncated report behind.
func streamScan(ctx context.Context, f scanFlags, est *estate.Estate, env *app.Clients, source string, stdout io.Writer, bar *progress) (scanned, error) {
	var res scanned
	w, commit, abort, err := openScanOut(stdout, f.out)
	if err != nil {
		return res, err
	}
	defer abort()
	color := f.out == "" && isTerminal(stdout) && os.Getenv("NO_COLOR") == ""
	rw, err := report.NewWriter(w, f.fmt, report.Options{Color: color})
	if err != nil {
		return res, err
	}
	sink := tee{rw}
	if f.save || f.toSecurityHub {
		if res.spill, err = report.NewSpill(); err != nil {
			return res, err
		}
		sink = append(sink, spillSink{res.spill})
	}
	res.Outcome, err = scan.Stream(ctx, est, scan.Deps{Inventory: env.Inventory(), KMS: env.KeyFacts(), Pace: env.Pace()},
		scan.Options{Accounts: f.accounts, Regions: f.regions, Now: time.Now(), Source: source, Progress: bar.step}, sink)
	if err == nil {
		err = commit()
	}
	if err != nil && res.spill != nil {
		res.spill.Close()
	}
	return res, err
}

// openScanOut returns where the report goes: stdout, or a temporary file
// beside --out that commit renames over it. abort removes an uncommitted
// temporary file; it is a no-op after commit.
func openScanOut(stdout io.Writer, out string) (w io.Writer, commit func() error, abort func(), err error) {
	if out == "" {
		return stdout, func() error { return nil }, func() {}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".byok-*")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open --out: %w", err)
	}
	done := false
	commit = func() error {
		done = true
		err := errors.Join(tmp.Chmod(0o644), tmp.Close())
		if err == nil {
			err = os.Rename(tmp.Name(), out)
		}
		if err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("write --out %s: %w", out, err)
		}
		return nil
	}
	abort = func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}
	return tmp, commit, abort, nil
}

// tee hands a streamed scan to several writers.
type tee []report.Writer

func (t tee) Begin(head report.Report) error {
	for _, w := range t {
		if err := w.Begin(head); err != nil {
			return err
		}
	}
	return nil
}

func (t tee) Add(r compliance.Result) error {
	for _, w := range t {
		if err := w.Add(r); err != nil {
			return err
		}
	}
	return nil
}

func (t tee) End(m report.Meta, s report.Summary) error {
	for _, w := range t {
		if err := w.End(m, s); err != nil {
			return err
		}
	}
	return nil
}

// spillSink keeps the results on disk for --save and --to-security-hub.
type spillSink struct{ s *report.Spill }

func (spillSink) Begin(report.Report) error             { return nil }
func (p spillSink) Add(r compliance.Result) error       { return p.s.Add(r) }
func (spillSink) End(report.Meta, report.Summary) error { return nil }
