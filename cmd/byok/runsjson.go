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
	KeyARN        string `json:"key_arn"`
	Step          string `json:"step"`
	Phase         string `json:"phase,omitempty"` // runs show: begin, end or fail of the step
	OldMaterialID string `json:"old_material_id,omitempty"`
	NewMaterialID string `json:"new_material_id,omitempty"`
	OldKeyID      string `json:"old_key_id,omitempty"`
	NewKeyID      string `json:"new_key_id,omitempty"`
	BlobSHA256    string `json:"blob_sha256,omitempty"`
	HSMLabel      string `json:"hsm_label,omitempty"`
	Error         string `json:"error,omitempty"`
}

func runsListJSON(ctx context.Context, w io.Writer, st *store.Store, runs []store.Run) error {
	out := make([]runJSON, 0, len(runs))
	for _, r := range runs {
		keys, err := st.ListRunKeys(ctx, r.ID)
		if err != nil {
			return err
		}
		j := runJSONOf(r)
		for _, k := range keys {
			j.Keys = append(j.Keys, runKeyJSON{KeyARN: k.KeyARN, Step: fmt.Sprint(k.Step), Error: k.Error})
		}
		out = append(out, j)
	}
	return writeJSON(w, out)
}

// runShowJSON writes one run with, per key, the step reached and what it
// recorded (never the import token or the public key).
func runShowJSON(ctx context.Context, w io.Writer, st *store.Store, r store.Run, keys []store.RunKey) error {
	j := runJSONOf(r)
	for _, k := range keys {
		step, phase, err := st.LastStep(ctx, k.RunID, k.KeyARN)
		if err != nil {
			return err
		}
		j.Keys = append(j.Keys, runKeyJSON{KeyARN: k.KeyARN, Step: fmt.Sprint(step), Phase: fmt.Sprint(phase),
			OldMaterialID: k.OldMaterialID, NewMaterialID: k.NewMaterialID, OldKeyID: k.OldKeyID, NewKeyID: k.NewKeyID,
			BlobSHA256: k.BlobSHA256, HSMLabel: k.HSMLabel, Error: k.Error})
	}
	return writeJSON(w, j)
}

func runJSONOf(r store.Run) runJSON {
	return runJSON{ID: string(r.ID), Created: r.Created.UTC().Format(time.RFC3339), Updated: r.Updated.UTC().Format(time.RFC3339),
		Status: fmt.Sprint(r.Status), Strategy: fmt.Sprint(r.Strategy), DryRun: r.DryRun, ChangeRef: r.ChangeRef,
		Operator: r.Operator, Error: r.Error, Keys: []runKeyJSON{}}
}
