package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// plan decides, per estate key, whether it is due; some must be.
func (s *story) plan(ctx context.Context) error {
	plans, err := s.w.engine.PlanKeys(ctx, s.w.est.Keys(), s.w.est.Policy.Strategy)
	if err != nil {
		return err
	}
	rows := [][]string{{"ALIAS", "AGE", "EARLIEST VALIDTO", "ROTATIONS", "DUE"}}
	now := time.Now()
	for _, p := range plans {
		valid := "never"
		if v := p.Status.EarliestValidTo(); v != nil {
			valid = v.UTC().Format("2006-01-02")
		}
		rows = append(rows, []string{p.Key.Alias, fmt.Sprintf("%dd", int(now.Sub(p.Status.CurrentSince).Hours()/24)), valid,
			fmt.Sprintf("%d/%d", p.Status.OnDemandRotations, rotation.MaxOnDemandRotations), dueWord(p)})
		if p.Refused != nil {
			return fmt.Errorf("plan refused %s: %w", p.Key.Alias, p.Refused)
		}
		if p.Due {
			s.due = append(s.due, p.Key)
		}
		if p.ReimportableCount() > 0 {
			s.reimport = append(s.reimport, p)
		}
	}
	s.out.table(rows, 4, func(c string) string {
		if c != "-" {
			return s.out.paint(sgrYellow, c)
		}
		return c
	})
	for _, p := range plans {
		if p.Due {
			s.out.line("%s: rotate: %s", p.Key.Alias, strings.Join(p.Why, "; "))
		}
		for _, m := range p.Expiring {
			s.out.line("%s: re-import: material %s expires %s; a rotation would not help (the old material keeps its ValidTo)",
				p.Key.Alias, short(m.ID), m.ValidTo.UTC().Format("2006-01-02"))
			s.out.line("    %s", s.out.paint(sgrDim, m.Hint(p.Key.Alias)))
		}
	}
	if len(s.due) == 0 || len(s.reimport) == 0 {
		return fmt.Errorf("%d keys due for rotation and %d with expiring byok material; the seed's overdue and expiring keys are missing", len(s.due), len(s.reimport))
	}
	s.out.line("steps (in place): %s", stepNames(plans[0].Steps))
	return nil
}

func dueWord(p rotation.Plan) string {
	switch {
	case p.Due && len(p.Expiring) > 0:
		return "rotate+re-import"
	case p.Due:
		return "rotate"
	case len(p.Expiring) > 0:
		return "re-import"
	}
	return "-"
}

func stepNames(steps []store.Step) string {
	names := make([]string, len(steps))
	for i, st := range steps {
		names[i] = st.String()
	}
	return strings.Join(names, " → ")
}

// rotateInPlace writes application data under each due key from its
// consumer account, re-imports the expiring material without expiry, then
// rotates the overdue keys in place.
func (s *story) rotateInPlace(ctx context.Context) error {
	for _, k := range append(s.due, plannedKeys(s.reimport)...) {
		recs, err := s.writeAppData(ctx, k)
		if err != nil {
			return err
		}
		s.appData[k.Alias] = recs
	}
	s.out.line("wrote application data under %s from the consumer accounts", plural(len(s.due)+len(s.reimport), "key", "keys"))
	if err := s.reimportExpiring(ctx); err != nil {
		return err
	}
	id, err := s.startRun(ctx, s.due, estate.StrategyInPlace, "DEMO-1 rotate due keys")
	s.inPlaceRun = id
	if err != nil {
		return err
	}
	s.out.ok("run %s: %s rotated in place, each verified from the Security and consumer account", id, plural(len(s.due), "key", "keys"))
	return nil
}

// startRun runs the engine with per-step progress and records the run.
func (s *story) startRun(ctx context.Context, keys []estate.Key, strategy estate.Strategy, ref string) (store.RunID, error) {
	s.w.engine.Progress = s.progress
	defer func() { s.w.engine.Progress = nil }()
	id, err := s.w.engine.Start(ctx, rotation.Request{Keys: keys, Strategy: strategy, ChangeRef: ref})
	if id != "" {
		run, rerr := s.runReport(context.WithoutCancel(ctx), id)
		err = errors.Join(err, rerr)
		s.rep.Runs = append(s.rep.Runs, run)
	}
	return id, err
}

// progress prints one line per finished (or failed) step.
func (s *story) progress(p rotation.Progress) {
	switch p.Phase {
	case store.PhaseEnd:
		s.out.line("%-20s %-16s %s", p.Alias, p.Step, s.out.paint(sgrGreen, "done"))
	case store.PhaseFail:
		s.out.line("%-20s %-16s %s %v", p.Alias, p.Step, s.out.paint(sgrRed, "FAILED"), p.Err)
	}
}
