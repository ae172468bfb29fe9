package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/serve/view"
	"github.com/byok-dev/byok/internal/store"
)

// Reader side of serveWiring: runs, scans, audit and the HSM probe.

// maxTrend is how many saved scans the trend reads.
const maxTrend = 60

// Runs implements serve.Reader: every run, newest first, with its journal.
func (w *serveWiring) Runs(ctx context.Context) ([]view.Run, error) {
	runs, err := w.env.store.ListRuns(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]view.Run, 0, len(runs))
	for _, r := range runs {
		v, err := w.runView(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b view.Run) int { return b.Created.Compare(a.Created) })
	return out, nil
}

func (w *serveWiring) runView(ctx context.Context, r store.Run) (view.Run, error) {
	v := view.Run{ID: string(r.ID), Strategy: r.Strategy, Status: r.Status.String(), Operator: r.Operator,
		ChangeRef: r.ChangeRef, Error: r.Error, Created: r.Created, Updated: r.Updated}
	keys, err := w.env.store.ListRunKeys(ctx, r.ID)
	if err != nil {
		return v, err
	}
	events, err := w.env.store.Journal(ctx, r.ID)
	if err != nil {
		return v, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range keys {
		rk := view.RunKey{KeyARN: k.KeyARN, Alias: w.aliases[k.KeyARN], Step: k.Step.String(), Error: k.Error}
		for _, e := range events {
			if e.KeyARN == k.KeyARN {
				se := view.StepEvent{Step: e.Step.String(), Phase: e.Phase.String(), At: e.Time}
				if e.Phase == store.PhaseFail {
					se.Detail = k.Error
				}
				rk.Steps = append(rk.Steps, se)
			}
		}
		v.Keys = append(v.Keys, rk)
	}
	return v, nil
}

// Scans implements serve.Reader: the last saved scans with their counts
// (each scan's findings are read once and remembered).
func (w *serveWiring) Scans(ctx context.Context) ([]view.ScanPoint, error) {
	scans, err := w.env.store.ListScans(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(scans, func(a, b store.Scan) int { return a.Time.Compare(b.Time) })
	if len(scans) > maxTrend {
		scans = scans[len(scans)-maxTrend:]
	}
	out := make([]view.ScanPoint, 0, len(scans))
	for _, s := range scans {
		p, err := w.scanPoint(ctx, s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (w *serveWiring) scanPoint(ctx context.Context, s store.Scan) (view.ScanPoint, error) {
	w.mu.Lock()
	p, ok := w.points[s.ID]
	w.mu.Unlock()
	if ok {
		return p, nil
	}
	fs, err := w.env.store.ScanFindings(ctx, s.ID)
	if err != nil {
		return p, err
	}
	p = view.ScanPoint{ID: s.ID, At: s.Time, Total: len(fs)}
	for _, f := range fs {
		switch f.Verdict {
		case compliance.Compliant.String():
			p.Compliant++
		case compliance.NonCompliant.String():
			p.NonCompliant++
		case compliance.NotApplicable.String():
			p.NotApplicable++
		case compliance.Exempted.String():
			p.Exempted++
		default:
			p.InsufficientData++
		}
	}
	w.mu.Lock()
	w.points[s.ID] = p
	w.mu.Unlock()
	return p, nil
}

// Audit implements serve.Reader: verify the chain; list the last entries.
func (w *serveWiring) Audit(ctx context.Context) (view.Audit, error) {
	rep, err := w.log.Verify(ctx)
	var brk *audit.BreakError
	if err != nil && !errors.As(err, &brk) {
		return view.Audit{}, err
	}
	a := view.Audit{Checked: time.Now(), OK: rep.OK(), Entries: rep.Entries, Head: rep.Head.Hash}
	for _, p := range rep.Problems {
		a.Problems = append(a.Problems, p.Error())
	}
	entries, err := w.log.List(ctx)
	if err != nil {
		return a, err
	}
	for i := len(entries) - 1; i >= 0 && len(a.Recent) < 50; i-- {
		e := entries[i]
		a.Recent = append(a.Recent, view.AuditEntry{Seq: e.Seq, Time: e.Time, Operator: e.Operator, ChangeRef: e.ChangeRef,
			RunID: e.RunID, KeyARN: e.KeyARN, Strategy: e.Strategy, OldMaterial: e.OldMaterialID, NewMaterial: e.NewMaterialID,
			Outcome: e.Outcome.String()})
	}
	return a, nil
}

// HSM implements serve.Reader: open the session if needed, then list
// byok's objects as a liveness probe (a dead session is reopened next time).
func (w *serveWiring) HSM(ctx context.Context) error {
	if err := w.session(ctx); err != nil {
		return err
	}
	w.hsmMu.Lock()
	defer w.hsmMu.Unlock()
	if _, err := w.env.hsm.List(ctx); err != nil {
		_ = w.env.hsm.Close()
		w.env.hsm, w.env.engine.HSM = nil, nil
		return fmt.Errorf("HSM probe: %w", err)
	}
	return nil
}
