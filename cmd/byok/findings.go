package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{
		Name: "findings diff", Findings: "with --exit-code: resources that became non-compliant since the saved scan",
		Summary: "show what became non-compliant, was fixed, appeared or is gone since the previous saved scan",
		Main:    findingsDiff,
	})
}

const findingsDiffDoc = `Compare the two most recent scans saved with byok scan --save: resources that
became NON_COMPLIANT, were fixed (NON_COMPLIANT before, not now), changed verdict
or reason otherwise, appeared (new) or are gone. Needs two saved scans.
Exit status 0, 1 when the state store cannot be read or has fewer than two scans.`

func findingsDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("findings diff", "[--state FILE] [--format table|json]", findingsDiffDoc)
	fs.SetOutput(stderr)
	path := fs.String("state", "", "state store (default $BYOK_STATE or ./.byok/state.db)")
	format := fs.String("format", "table", "output format: table or json")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{Code: exitUsage, Err: errors.New("")}
	}
	if fs.NArg() != 0 || (*format != "table" && *format != "json") {
		return &exitError{Code: exitUsage, Err: fmt.Errorf("unexpected arguments or --format %q (use table or json)", *format)}
	}
	if *path == "" {
		*path = store.DefaultPath()
	}
	st, err := store.OpenMode(ctx, *path, store.ModeRead)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := st.DiffLatest(ctx)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeDiffJSON(stdout, d)
	}
	return writeDiffTable(stdout, d)
}

func writeDiffTable(w io.Writer, d store.Diff) error {
	fmt.Fprintf(w, "Changes from scan %d (%s) to scan %d (%s)\n", d.From.ID, store.FormatTime(d.From.Time), d.To.ID, store.FormatTime(d.To.Time))
	changes := func(title string, cs []store.Change) {
		fmt.Fprintf(w, "\n%s: %d\n", title, len(cs))
		for _, c := range cs {
			fmt.Fprintf(w, "  %s  %s -> %s  %s\n", findingLabel(c.After), verdictReason(c.Before), verdictReason(c.After), c.After.Detail)
		}
	}
	findings := func(title string, fs []store.Finding) {
		fmt.Fprintf(w, "\n%s: %d\n", title, len(fs))
		for _, f := range fs {
			fmt.Fprintf(w, "  %s  %s  %s\n", findingLabel(f), verdictReason(f), f.Detail)
		}
	}
	changes("Newly non-compliant", d.NewlyNonCompliant)
	changes("Fixed", d.Fixed)
	changes("Changed", d.Changed)
	findings("New", d.Appeared)
	findings("Gone", d.Gone)
	_, err := fmt.Fprintln(w)
	return err
}

func findingLabel(f store.Finding) string {
	name := f.Name
	if name == "" {
		name = f.ResourceID
	}
	return f.Account + " " + f.Region + " " + f.ResourceType + " " + name
}

func verdictReason(f store.Finding) string { return f.Verdict + "/" + f.Reason }

// diffJSON is the stable JSON shape of byok findings diff --format json.
type diffJSON struct {
	From              scanJSON      `json:"from"`
	To                scanJSON      `json:"to"`
	NewlyNonCompliant []changeJSON  `json:"newly_non_compliant"`
	Fixed             []changeJSON  `json:"fixed"`
	Changed           []changeJSON  `json:"changed"`
	New               []findingJSON `json:"new"`
	Gone              []findingJSON `json:"gone"`
}

type scanJSON struct {
	ID    int64  `json:"id"`
	Time  string `json:"time"`
	Count int    `json:"count"`
}

type findingJSON struct {
	Account      string `json:"account"`
	Region       string `json:"region"`
	ResourceType string `json:"resource_type"`
	ResourceID   string `json:"resource_id"`
	ResourceARN  string `json:"resource_arn,omitempty"`
	Name         string `json:"name,omitempty"`
	Verdict      string `json:"verdict"`
	Reason       string `json:"reason"`
	Detail       string `json:"detail"`
	KeyARN       string `json:"key_arn,omitempty"`
}

type changeJSON struct {
	Before findingJSON `json:"before"`
	After  findingJSON `json:"after"`
}

func writeDiffJSON(w io.Writer, d store.Diff) error {
	out := diffJSON{From: scanJSONOf(d.From), To: scanJSONOf(d.To), NewlyNonCompliant: changesJSON(d.NewlyNonCompliant),
		Fixed: changesJSON(d.Fixed), Changed: changesJSON(d.Changed), New: findingsJSON(d.Appeared), Gone: findingsJSON(d.Gone)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func scanJSONOf(s store.Scan) scanJSON {
	return scanJSON{ID: s.ID, Time: store.FormatTime(s.Time), Count: s.Count}
}

func findingJSONOf(f store.Finding) findingJSON {
	return findingJSON{Account: f.Account, Region: f.Region, ResourceType: f.ResourceType, ResourceID: f.ResourceID,
		ResourceARN: f.ResourceARN, Name: f.Name, Verdict: f.Verdict, Reason: f.Reason, Detail: f.Detail, KeyARN: f.KeyARN}
}

func findingsJSON(fs []store.Finding) []findingJSON {
	out := make([]findingJSON, 0, len(fs))
	for _, f := range fs {
		out = append(out, findingJSONOf(f))
	}
	return out
}

func changesJSON(cs []store.Change) []changeJSON {
	out := make([]changeJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, changeJSON{Before: findingJSONOf(c.Before), After: findingJSONOf(c.After)})
	}
	return out
}
