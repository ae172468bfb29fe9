package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/retire"
	"github.com/byok-dev/byok/internal/rotation"
)

// retirePlanJSON is --format json of a retire decision.
type retirePlanJSON struct {
	KeyARN        string                 `json:"key_arn"`
	KeyState      string                 `json:"key_state"`
	Procedure     string                 `json:"procedure"`
	Steps         []string               `json:"steps"`
	DryRun        bool                   `json:"dry_run"`
	Allowed       bool                   `json:"allowed"`
	Refusal       string                 `json:"refusal,omitempty"`
	Blockers      []retire.Blocker       `json:"blockers"`
	Warnings      []retire.Blocker       `json:"warnings"`
	Ignored       []retire.Use           `json:"ignored_calls,omitempty"`
	DisabledSince *time.Time             `json:"disabled_since,omitempty"`
	Options       rotation.RetireOptions `json:"options"`
	HSM           string                 `json:"hsm"`
}

func retireJSON(rp rotation.RetirePlan, dry bool) retirePlanJSON {
	it := rp.Prepared.Items[0]
	out := retirePlanJSON{KeyARN: rp.KeyARN, KeyState: rp.KeyState, Procedure: it.Strategy.String(), DryRun: dry,
		Allowed: rp.Blocked == nil, Blockers: rp.Decision.Blockers, Warnings: orEmpty(rp.Decision.Warnings), Ignored: rp.Decision.Ignored, HSM: rotation.HSMNote,
		Options: *rp.Prepared.Selector.Retire, Steps: []string{}}
	if out.Blockers == nil {
		out.Blockers = []retire.Blocker{}
	}
	for _, s := range it.Steps {
		out.Steps = append(out.Steps, s.String())
	}
	if rp.Blocked != nil {
		out.Refusal = rp.Blocked.Error()
	}
	if !rp.DisabledSince.IsZero() {
		t := rp.DisabledSince.UTC()
		out.DisabledSince = &t
	}
	return out
}

// printRetirePlan shows what the run would do, or who and what blocks it.
func printRetirePlan(w io.Writer, rp rotation.RetirePlan, dry, asJSON bool) error {
	if asJSON {
		return writeJSON(w, retireJSON(rp, dry))
	}
	it := rp.Prepared.Items[0]
	head := "request"
	if dry {
		head = "dry run: the run would request"
	}
	fmt.Fprintf(w, "%s: %s of %s (now %s)\n", head, it.Strategy, rp.KeyARN, rp.KeyState)
	if !rp.DisabledSince.IsZero() {
		fmt.Fprintf(w, "  disabled since %s\n", rp.DisabledSince.UTC().Format(time.RFC3339))
	}
	if rp.Blocked != nil {
		fmt.Fprintf(w, "  REFUSED: %s\n", firstLine(rp.Blocked.Error()))
		for _, b := range rp.Decision.Blockers {
			fmt.Fprintf(w, "  - %s\n", rotation.FormatBlocker(b))
		}
		return nil
	}
	printRetireWarnings(w, rp.Decision.Warnings)
	for _, u := range rp.Decision.Ignored {
		fmt.Fprintf(w, "  not counted (byok's own verification): %d %s by %s in %s\n", u.Count, u.Event, u.Principal, u.Account)
	}
	steps := make([]string, 0, len(it.Steps))
	for _, s := range it.Steps {
		steps = append(steps, s.String())
	}
	fmt.Fprintf(w, "  nothing blocks it; steps: %s\n  %s\n", strings.Join(steps, " → "), rotation.HSMNote)
	return nil
}

// printRetireWarnings lists what a retire leaves unusable while the key
// is disabled (it does not stop the retire; it stops schedule-deletion).
func printRetireWarnings(w io.Writer, ws []retire.Blocker) {
	if len(ws) == 0 {
		return
	}
	fmt.Fprintf(w, "  WARNING: %d item(s) on the key are unrestorable while it is disabled; schedule-deletion refuses until each is copied to the new key or deleted:\n", len(ws))
	for _, b := range ws {
		fmt.Fprintf(w, "  - %s\n", rotation.FormatBlocker(b))
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
