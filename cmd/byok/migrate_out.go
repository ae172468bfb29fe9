package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/byok-dev/byok/internal/migrate"
)

func writeMigratePlan(w io.Writer, f migratePlanFlags, plan migrate.Plan) error {
	if plan.Items == nil {
		plan.Items = []migrate.Item{}
	}
	if f.format.is("json") {
		return writeJSON(w, plan)
	}
	for _, it := range plan.Items {
		writeMigrateItem(w, it)
	}
	ready, blocked, cannot := 0, 0, 0
	for _, it := range plan.Items {
		switch {
		case it.Ready():
			ready++
		case it.Cannot != "":
			cannot++
		default:
			blocked++
		}
	}
	_, err := fmt.Fprintf(w, "%d resource(s) to migrate: %d ready, %d blocked by pre-flight, %d that byok cannot migrate\n",
		len(plan.Items), ready, blocked, cannot)
	for _, e := range plan.Errors {
		fmt.Fprintf(w, "not scanned: %s\n", e)
	}
	return err
}

func writeMigrateItem(w io.Writer, it migrate.Item) {
	fmt.Fprintf(w, "%s  %s  %s/%s  %s\n", it.Name, it.Type, it.Account, it.Region, it.Reason)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "  %s\t%s\n", k, v) }
	if it.CurrentKey != "" {
		row("current key", it.CurrentKey)
	}
	if it.Cannot != "" {
		row("cannot", it.Cannot)
		tw.Flush()
		fmt.Fprintln(w)
		return
	}
	row("target key", it.TargetKey)
	row("method", fmt.Sprintf("%s (downtime %s)", it.Method, it.Downtime))
	if it.Estimate != nil {
		row("estimate", it.Estimate.Note)
	}
	for i, s := range it.Steps {
		row(map[bool]string{true: "steps", false: ""}[i == 0], fmt.Sprintf("%d. %s", i+1, s))
	}
	for i, c := range it.Checks {
		row(map[bool]string{true: "pre-flight", false: ""}[i == 0], strings.TrimSpace(fmt.Sprintf("%-7s %s: %s", c.Status, c.Name, c.Detail)))
	}
	tw.Flush()
	fmt.Fprintln(w)
}
