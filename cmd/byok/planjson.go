package main

import (
	"fmt"
	"io"
	"time"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/rotation"
)

// planJSON is one key of byok plan --format json: the table's columns as
// data (alias first, ages in whole days, times in RFC 3339).
type planJSON struct {
	Alias             string   `json:"alias"`
	KeyARN            string   `json:"key_arn,omitempty"`
	MaterialAgeDays   int      `json:"material_age_days"`
	PendingMaterial   string   `json:"pending_material,omitempty"`
	EarliestValidTo   string   `json:"earliest_valid_to,omitempty"`
	OnDemandRotations int      `json:"on_demand_rotations"`
	Due               bool     `json:"due"`
	Reimport          bool     `json:"reimport"`
	Why               []string `json:"why"`
	Strategy          string   `json:"strategy"`
	Steps             []string `json:"steps"`
	Impact            string   `json:"impact,omitempty"`
	Refused           string   `json:"refused,omitempty"`
	// Pacing is where the rates pacing the key's rotation come from.
	Pacing *pacingJSON `json:"pacing,omitempty"`
	// Watch is where the key's watch step reads failed KMS calls.
	Watch *watchJSON `json:"watch,omitempty"`
}

func plansJSON(plans []rotation.Plan, now time.Time) []planJSON {
	out := make([]planJSON, 0, len(plans))
	for _, p := range plans {
		j := planJSON{Alias: p.Key.Alias, KeyARN: p.Status.ARN, MaterialAgeDays: int(now.Sub(p.Status.CurrentSince).Hours() / 24),
			OnDemandRotations: p.Status.OnDemandRotations, Due: p.Due, Reimport: len(p.Expiring) > 0,
			Why: append([]string{}, p.Why...), Strategy: fmt.Sprint(p.Strategy), Steps: []string{}, Impact: p.Impact}
		if m, ok := p.Status.Pending(); ok {
			j.PendingMaterial = m.ID
		}
		if v := p.Status.EarliestValidTo(); v != nil {
			j.EarliestValidTo = v.UTC().Format(time.RFC3339)
		}
		for _, s := range p.Steps {
			j.Steps = append(j.Steps, s.String())
		}
		if p.Refused != nil {
			j.Refused = p.Refused.Err.Error()
		}
		out = append(out, j)
	}
	return out
}

// planQuotas is what byok plan shows of pacing (nil pacer: nothing).
type planQuotas struct {
	pacer   *pace.Pacer
	sources []pace.Source
	account string
	watch   *watchJSON // the watch source and its pre-flight check
}

func writePlans(w io.Writer, plans []rotation.Plan, asJSON bool, q planQuotas) error {
	if asJSON {
		out := plansJSON(plans, time.Now())
		for i := range out {
			out[i].Pacing = pacingOf(q.pacer, q.sources, q.account, plans[i].Key.Region)
			out[i].Watch = q.watch
		}
		return writeJSON(w, out)
	}
	printPlans(w, plans)
	printQuotaSources(w, q.pacer, q.sources, q.account, plans)
	printWatch(w, q.watch)
	return nil
}

// plansToAct counts the keys that are due for rotation or re-import.
func plansToAct(plans []rotation.Plan) int {
	n := 0
	for _, p := range plans {
		if p.Due || len(p.Expiring) > 0 {
			n++
		}
	}
	return n
}
