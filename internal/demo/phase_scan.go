package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/scan"
)

func (s *story) runScan(ctx context.Context) (report.Report, error) {
	return scan.Run(ctx, s.w.est, scan.Deps{Inventory: s.w.clients.Inventory(), KMS: s.w.clients.KeyFacts(), Pace: s.w.clients.Pace()},
		scan.Options{Now: time.Now(), Source: "demo", Version: s.w.opts.Version})
}

// scanBefore scans the seeded estate: it must find non-compliant resources.
func (s *story) scanBefore(ctx context.Context) error {
	rep, err := s.runScan(ctx)
	if err != nil {
		return err
	}
	s.before = rep
	s.rep.Before = snapshotOf(rep, s.accountNames())
	s.printSnapshot(s.rep.Before)
	for _, f := range s.rep.Before.NonCompliant {
		s.out.line("%s %-15s %-26s %-5s %s", s.out.verdict("NON_COMPLIANT"), f.Type, f.Name, s.accountName(f.Account), f.Reason)
		s.out.line("    %s", s.out.paint(sgrDim, f.Detail))
	}
	if len(s.rep.Before.Errors) > 0 {
		return fmt.Errorf("scan incomplete: %v", s.rep.Before.Errors)
	}
	if len(s.rep.Before.NonCompliant) == 0 {
		return errors.New("the seeded estate has no NON_COMPLIANT resource; the seed's overdue and expiring keys are missing")
	}
	return nil
}

// printSnapshot prints verdict counts per account and service.
func (s *story) printSnapshot(sn Snapshot) {
	rows := [][]string{{"ACCOUNT", "SERVICE", "RESOURCES", "COMPLIANT", "NON_COMPLIANT", "OTHER"}}
	for _, c := range sn.Cells {
		other := c.Total - c.ByVerdict[compliance.Compliant.String()] - c.ByVerdict[compliance.NonCompliant.String()]
		rows = append(rows, []string{c.AccountName, c.Service, fmt.Sprint(c.Total), fmt.Sprint(c.ByVerdict[compliance.Compliant.String()]),
			fmt.Sprint(c.ByVerdict[compliance.NonCompliant.String()]), fmt.Sprint(other)})
	}
	s.out.table(rows, -1, nil)
	s.out.line("%s: %d COMPLIANT, %d NON_COMPLIANT of %s", s.out.paint(sgrBold, "total"),
		sn.ByVerdict[compliance.Compliant.String()], sn.ByVerdict[compliance.NonCompliant.String()], plural(sn.Total, "resource", "resources"))
}

// scanAfter scans again: after the migration and the retirement nothing
// may remain NON_COMPLIANT.
func (s *story) scanAfter(ctx context.Context) error {
	rep, err := s.runScan(ctx)
	if err != nil {
		return err
	}
	s.rep.After = snapshotOf(rep, s.accountNames())
	s.rep.Left = classify(s.rep.After, s.retiredARNs())
	s.printSnapshot(s.rep.After)
	s.out.line("NON_COMPLIANT: %d before → %d after", len(s.rep.Before.NonCompliant), len(s.rep.After.NonCompliant))
	var other, retired int
	for _, l := range s.rep.Left {
		s.out.line("%s %-15s %-26s %-5s %s", s.out.verdict("NON_COMPLIANT"), l.Type, l.Name, s.accountName(l.Account), l.Reason)
		s.out.line("    %s", s.out.paint(sgrDim, l.Class+": "+l.Fix))
		if l.Class == LeftRetiredKey {
			retired++
		} else {
			other++
		}
	}
	if len(s.rep.After.Errors) > 0 {
		return fmt.Errorf("scan incomplete: %v", s.rep.After.Errors)
	}
	if other > 0 {
		return fmt.Errorf("%d resources are still NON_COMPLIANT for a reason the re-import, the rotations or the owner's fix should have removed", other)
	}
	if retired > 0 {
		return fmt.Errorf("%s still on a retired key (%s) after the migration", plural(retired, "resource is", "resources are"), strings.Join(s.retiredARNs(), ", "))
	}
	s.out.ok("0 NON_COMPLIANT: nothing left on the retired keys %s", strings.Join(s.retiredARNs(), ", "))
	return nil
}
