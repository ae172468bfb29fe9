package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

// runJSON is one row of byok runs list --format json. Fields are spelled
// through fmt so that the store's own types (strategy, status, step) may
// change representation without changing this shape.
type runJSON struct {
	ID        string       `json:"id"`
	Created   string       `json:"created"`
	Updated   string       `json:"updated"`
	Status    string       `json:"status"`
	Strategy  string       `json:"strategy"`
	DryRun    bool         `json:"dry_run"`
	ChangeRef string       `json:"change_ref,omitempty"`
	Operator  string       `json:"operator,omitempty"`
	Error     string       `json:"error,omitempty"`
	Keys      []runKeyJSON `json:"keys"`
}

type runKeyJSON struct {
	KeyARN string `json:"key_arn"`
	Step   string `json:"step"`
	Error  string `json:"error,omitempty"`
}

func runsListJSON(ctx context.Context, w io.Writer, st *store.Store, runs []store.Run) error {
	out := make([]runJSON, 0, len(runs))
	for _, r := range runs {
		keys, err := st.ListRunKeys(ctx, r.ID)
		if err != nil {
			return err
		}
		j := runJSON{ID: string(r.ID), Created: r.Created.UTC().Format(time.RFC3339), Updated: r.Updated.UTC().Format(time.RFC3339),
			Status: fmt.Sprint(r.Status), Strategy: fmt.Sprint(r.Strategy), DryRun: r.DryRun, ChangeRef: r.ChangeRef,
			Operator: r.Operator, Error: r.Error, Keys: make([]runKeyJSON, 0, len(keys))}
		for _, k := range keys {
			j.Keys = append(j.Keys, runKeyJSON{KeyARN: k.KeyARN, Step: fmt.Sprint(k.Step), Error: k.Error})
		}
		out = append(out, j)
	}
	return writeJSON(w, out)
}
