package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/watch"
)

// watchJSON is the "watch" of byok plan --format json: where the watch
// step will read failed KMS calls and, for the eventbridge source, what
// the pre-flight check found in each account and Region.
type watchJSON struct {
	Source        string           `json:"source"`
	LogGroup      string           `json:"log_group,omitempty"`
	Rule          string           `json:"rule,omitempty"`
	DeliveryDelay string           `json:"delivery_delay"`
	Checks        []watchCheckJSON `json:"checks,omitempty"`
	Refused       string           `json:"refused,omitempty"`
	Hint          string           `json:"hint,omitempty"`
}

type watchCheckJSON struct {
	Account     string `json:"account"`
	Region      string `json:"region"`
	RuleChecked bool   `json:"rule_checked"`
	Note        string `json:"note,omitempty"`
}

// planWatch describes the engine's watch source for plans and runs its
// pre-flight check (eventbridge only; read-only calls).
func planWatch(ctx context.Context, e *rotation.Engine, plans []rotation.Plan) *watchJSON {
	conf := e.WatchConf()
	j := &watchJSON{Source: string(conf.Source), DeliveryDelay: conf.DeliveryDelay.String()}
	if conf.Source != estate.WatchEventBridge {
		return j
	}
	j.LogGroup, j.Rule = conf.LogGroup, conf.Rule
	var items []rotation.Item
	for _, p := range plans {
		if s, err := rotation.ParseStrategy(string(p.Strategy)); err == nil && p.Refused == nil {
			items = append(items, rotation.Item{Key: p.Key, Strategy: s})
		}
	}
	checks, err := e.CheckWatchSource(ctx, items)
	for _, c := range checks {
		j.Checks = append(j.Checks, watchCheckJSON{Account: c.Account, Region: c.Region, RuleChecked: c.RuleChecked, Note: c.RuleNote})
	}
	if err != nil {
		j.Refused = err.Error()
		var se *watch.SourceError
		if errors.As(err, &se) {
			j.Hint = se.Hint
		}
	}
	return j
}

// printWatch writes the table's watch section.
func printWatch(w io.Writer, j *watchJSON) {
	if j == nil {
		return
	}
	if j.Source != string(estate.WatchEventBridge) {
		fmt.Fprintf(w, "\nWatch: failed KMS calls read from CloudTrail LookupEvents (delivery delay %s)\n", j.DeliveryDelay)
		return
	}
	fmt.Fprintf(w, "\nWatch: failed KMS calls read from log group %s (EventBridge rule %s, delivery delay %s)\n", j.LogGroup, j.Rule, j.DeliveryDelay)
	for _, c := range j.Checks {
		state := "log group and rule checked"
		if !c.RuleChecked {
			state = "log group checked; " + c.Note
		}
		fmt.Fprintf(w, "  %s %s: %s\n", c.Account, c.Region, state)
	}
	if j.Refused != "" {
		fmt.Fprintf(w, "  REFUSED: %s\n  hint: %s\n", j.Refused, j.Hint)
	}
}
