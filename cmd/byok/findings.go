package main

import (
	"context"
	"encoding/json"
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

Exit status: 0, or with --exit-code 2 when a resource became NON_COMPLIANT
(newly non-compliant, or new and non-compliant) so that CI can gate on it;
1 when the state store cannot be read or has fewer than two scans.`

func findingsDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("findings diff", "[--state FILE] [--format table|json] [--exit-code]", findingsDiffDoc)
	fs.SetOutput(stderr)
	path := fs.String("state", "", "state store (default $BYOK_STATE or ./.byok/state.db)")
	format := addFormatFlag(fs, "json")
	exitCode := fs.Bool("exit-code", false, "exit 2 when something became non-compliant (as git diff --exit-code)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := format.check("findings diff"); err != nil {
		return err
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
	if format.is("json") {
		err = writeDiffJSON(stdout, d)
	} else {
		err = writeDiffTable(stdout, d)
	}
	if n := becameNonCompliant(d); err == nil && *exitCode && n > 0 {
		return &exitError{Code: exitFindings, Err: fmt.Errorf("%d resource(s) became NON_COMPLIANT since scan %d", n, d.From.ID)}
	}
	return err
}

// becameNonCompliant counts the resources that are NON_COMPLIANT now and
// were not (or did not exist) in the earlier scan.
func becameNonCompliant(d store.Diff) int {
	n := len(d.NewlyNonCompliant)
	for _, f := range d.Appeared {
		if f.Verdict == "NON_COMPLIANT" {
			n++
		}
	}
	return n
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
