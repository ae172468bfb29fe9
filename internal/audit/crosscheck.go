package audit

import (
	"context"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// runKey is one key of one run.
type runKey struct{ run, key string }

// succeededRunKeys lists every key of every run the state records as
// succeeded (dry runs excluded): each must have an audit entry, since a
// run is marked succeeded only after its record step appended them.
func succeededRunKeys(ctx context.Context, st *store.Store) ([]runKey, error) {
	runs, err := st.ListRuns(ctx)
	if err != nil {
		return nil, fmt.Errorf("cross-check runs: %w", err)
	}
	var out []runKey
	for _, r := range runs {
		if r.Status != store.StatusSucceeded || r.DryRun {
			continue
		}
		keys, err := st.ListRunKeys(ctx, r.ID)
		if err != nil {
			return nil, fmt.Errorf("cross-check run %s: %w", r.ID, err)
		}
		for _, k := range keys {
			out = append(out, runKey{run: r.ID.String(), key: k.KeyARN})
		}
	}
	return out, nil
}

// gaps are the succeeded run keys without an entry, in the order given.
func gaps(entries []Entry, want []runKey) []*GapError {
	have := make(map[runKey]bool, len(entries))
	for _, e := range entries {
		have[runKey{e.RunID, e.KeyARN}] = true
	}
	var out []*GapError
	for _, rk := range want {
		if !have[rk] {
			out = append(out, &GapError{Run: rk.run, Key: rk.key})
		}
	}
	return out
}
