package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/byok-dev/byok/internal/sharedstate"
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
	Target    string       `json:"target,omitempty"` // the run a rollback undid
	Keys      []runKeyJSON `json:"keys"`
	// Request is what the run was asked (runs show only; absent for runs
	// recorded before requests existed).
	Request *requestJSON `json:"request,omitempty"`
	// Source is "shared" for a run read from the shared state location's
	// run journal (not in this state file), with its process's Host and PID.
	Source string `json:"source,omitempty"`
	Host   string `json:"host,omitempty"`
	PID    int    `json:"pid,omitempty"`
}

// requestJSON is a run's journaled request: the selector and every key
// asked for with its strategy and admission (and why refused or skipped).
type requestJSON struct {
	Selector json.RawMessage  `json:"selector"`
	Keys     []requestKeyJSON `json:"keys"`
	Counts   map[string]int   `json:"counts"`
}

type requestKeyJSON struct {
	Alias      string `json:"alias"`
	Region     string `json:"region"`
	Strategy   string `json:"strategy"`
	Admission  string `json:"admission"`
	Reason     string `json:"reason,omitempty"`
	KeyARN     string `json:"key_arn,omitempty"`
	MaterialID string `json:"material_id,omitempty"`
	NewKeyID   string `json:"new_key_id,omitempty"`
}

type runKeyJSON struct {
	KeyARN        string `json:"key_arn"`
	Strategy      string `json:"strategy,omitempty"`
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

func runsListJSON(ctx context.Context, w io.Writer, st *store.Store, runs []store.Run, shared []sharedstate.RunRecord) error {
	out := make([]runJSON, 0, len(runs)+len(shared))
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
	for _, r := range shared {
		out = append(out, sharedRunJSON(r))
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
		j.Keys = append(j.Keys, runKeyJSON{KeyARN: k.KeyARN, Strategy: k.Strategy, Step: fmt.Sprint(step), Phase: fmt.Sprint(phase),
			OldMaterialID: k.OldMaterialID, NewMaterialID: k.NewMaterialID, OldKeyID: k.OldKeyID, NewKeyID: k.NewKeyID,
			BlobSHA256: k.BlobSHA256, HSMLabel: k.HSMLabel, Error: k.Error})
	}
	rq, err := requestJSONOf(ctx, st, r)
	if err != nil {
		return err
	}
	j.Request = rq
	return writeJSON(w, j)
}

func requestJSONOf(ctx context.Context, st *store.Store, r store.Run) (*requestJSON, error) {
	rqs, err := st.ListRequestKeys(ctx, r.ID)
	if err != nil || len(rqs) == 0 {
		return nil, err
	}
	sel := json.RawMessage(`{}`)
	if r.Selector != "" && json.Valid([]byte(r.Selector)) {
		sel = json.RawMessage(r.Selector)
	}
	out := &requestJSON{Selector: sel, Counts: map[string]int{}}
	for _, a := range []store.Admission{store.AdmissionPending, store.AdmissionAdmitted, store.AdmissionRefused, store.AdmissionSkipped} {
		out.Counts[a.String()] = 0
	}
	for _, rq := range rqs {
		out.Counts[rq.Admission.String()]++
		out.Keys = append(out.Keys, requestKeyJSON{Alias: rq.Alias, Region: rq.Region, Strategy: rq.Strategy,
			Admission: rq.Admission.String(), Reason: rq.Reason, KeyARN: rq.KeyARN, MaterialID: rq.MaterialID, NewKeyID: rq.NewKeyID})
	}
	return out, nil
}

func runJSONOf(r store.Run) runJSON {
	return runJSON{ID: string(r.ID), Created: r.Created.UTC().Format(time.RFC3339), Updated: r.Updated.UTC().Format(time.RFC3339),
		Status: fmt.Sprint(r.Status), Strategy: fmt.Sprint(r.Strategy), DryRun: r.DryRun, ChangeRef: r.ChangeRef,
		Operator: r.Operator, Error: r.Error, Target: string(r.Target), Keys: []runKeyJSON{}}
}
