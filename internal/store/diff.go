package store

import (
	"context"
	"fmt"
)

// Change is one resource seen in both scans with a different verdict or reason.
type Change struct{ Before, After Finding }

// Diff compares the latest saved scan (To) with the one before (From).
// Every resource of either scan lands in at most one list.
type Diff struct {
	From, To Scan
	// NewlyNonCompliant: in both scans, NON_COMPLIANT now and not before.
	NewlyNonCompliant []Change
	// Fixed: in both scans, NON_COMPLIANT before and not now.
	Fixed []Change
	// Changed: in both, another verdict or reason change (e.g. still
	// NON_COMPLIANT for a new reason).
	Changed []Change
	// Appeared: only in the latest scan. Gone: only in the previous one.
	Appeared []Finding
	Gone     []Finding
}

// DiffLatest compares the two most recent saved scans; with fewer than two
// it returns ErrNoPreviousScan (save another scan with byok scan --save).
func (s *Store) DiffLatest(ctx context.Context) (Diff, error) {
	scans, err := s.ListScans(ctx)
	if err != nil {
		return Diff{}, fmt.Errorf("diff scans: %w", err)
	}
	if len(scans) < 2 {
		return Diff{}, fmt.Errorf("diff scans: %d saved: %w; run byok scan --save again", len(scans), ErrNoPreviousScan)
	}
	to, from := scans[0], scans[1]
	after, err := s.ScanFindings(ctx, to.ID)
	if err != nil {
		return Diff{}, fmt.Errorf("diff scans: %w", err)
	}
	before, err := s.ScanFindings(ctx, from.ID)
	if err != nil {
		return Diff{}, fmt.Errorf("diff scans: %w", err)
	}
	d := DiffFindings(before, after)
	d.From, d.To = from, to
	return d, nil
}

// DiffFindings classifies the changes from before to after; lists keep the
// order of their source slice.
func DiffFindings(before, after []Finding) Diff {
	prev := make(map[ResourceKey]Finding, len(before))
	for _, f := range before {
		prev[f.Key()] = f
	}
	var d Diff
	seen := make(map[ResourceKey]bool, len(after))
	for _, a := range after {
		seen[a.Key()] = true
		b, ok := prev[a.Key()]
		switch {
		case !ok:
			d.Appeared = append(d.Appeared, a)
		case a.Verdict == VerdictNonCompliant && b.Verdict != VerdictNonCompliant:
			d.NewlyNonCompliant = append(d.NewlyNonCompliant, Change{b, a})
		case a.Verdict != VerdictNonCompliant && b.Verdict == VerdictNonCompliant:
			d.Fixed = append(d.Fixed, Change{b, a})
		case a.Verdict != b.Verdict || a.Reason != b.Reason:
			d.Changed = append(d.Changed, Change{b, a})
		}
	}
	for _, b := range before {
		if !seen[b.Key()] {
			d.Gone = append(d.Gone, b)
		}
	}
	return d
}
