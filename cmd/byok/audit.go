package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{
		Name:    "audit show",
		Summary: "print the hash-chained audit log (table or JSON lines)",
		Main:    auditShow,
	})
	register(&command{
		Name:    "audit adopt-head",
		Summary: "write the audit head file of a state file from before head files (only if the log verifies)",
		Main:    auditAdoptHead,
	})
	register(&command{
		Name:    "audit verify",
		Summary: "check the audit log's hash chain; exit 1 naming the first broken entry",
		Main:    auditVerify,
	})
}

// auditStateCmd is the common start of the audit subcommands that take no
// argument: --state parsed, the state file opened and its audit log.
func auditStateCmd(ctx context.Context, fs *flag.FlagSet, args []string, stderr io.Writer) (*store.Store, *audit.Log, error) {
	fs.SetOutput(stderr)
	statePath := stateFlag(fs)
	if err := stateParse(fs, args); err != nil {
		return nil, nil, err
	}
	if fs.NArg() != 0 {
		return nil, nil, &exitError{Code: 64, Err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return auditOpen(ctx, *statePath)
}

func auditOpen(ctx context.Context, path string) (*store.Store, *audit.Log, error) {
	st, err := stateOpenExisting(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	l, err := audit.Open(ctx, st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, l, nil
}

func auditShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit show", "[--state FILE] [--format table|json|jsonl] [--run RUN]",
		"Print the audit log in seq order. jsonl is the export format: one entry per line,\n"+
			"with the fields the hash covers (see package audit, Canonical).")
	fs.SetOutput(stderr)
	statePath := stateFlag(fs)
	format := addFormatFlag(fs, "json", "jsonl")
	runFilter := fs.String("run", "", "only entries of this run")
	if err := stateParse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return &exitError{Code: 64, Err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if err := format.check("audit show"); err != nil {
		return err
	}
	if *runFilter != "" {
		if _, err := store.ParseRunID(*runFilter); err != nil {
			return &exitError{Code: 64, Err: fmt.Errorf("--run: %w", err)}
		}
	}
	st, l, err := auditOpen(ctx, *statePath)
	if err != nil {
		return err
	}
	defer st.Close()
	entries, err := l.List(ctx)
	if err != nil {
		return err
	}
	entries = auditFilter(entries, *runFilter)
	switch {
	case format.is("jsonl"):
		return auditJSONL(stdout, entries)
	case format.is("json"):
		return writeJSON(stdout, entries)
	}
	return auditTable(stdout, entries)
}

func auditFilter(entries []audit.Entry, run string) []audit.Entry {
	if run == "" {
		return entries
	}
	var out []audit.Entry
	for _, e := range entries {
		if e.RunID == run {
			out = append(out, e)
		}
	}
	return out
}

func auditJSONL(w io.Writer, entries []audit.Entry) error {
	enc := json.NewEncoder(w)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("write entry %d: %w", e.Seq, err)
		}
	}
	return nil
}

func auditTable(w io.Writer, entries []audit.Entry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tRUN\tKEY\tSTRATEGY\tCHANGE\tFROM -> TO\tOUTCOME\tOPERATOR")
	for _, e := range entries {
		from, to := e.OldMaterialID, e.NewMaterialID
		if e.Strategy == rotation.NewKey.String() {
			from, to = e.OldKeyID, e.NewKeyID
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s -> %s\t%s\t%s\n", e.Seq, e.Time.UTC().Format("2006-01-02 15:04:05Z"),
			e.RunID, e.KeyARN, e.Strategy, runsDash(e.ChangeRef), runsDash(from), runsDash(to), e.Outcome, runsDash(e.Operator))
	}
	return tw.Flush()
}

func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit verify", "[--state FILE]",
		"Recompute every entry's hash and link, check the head record against the last entry\n"+
			"and against the head file beside the state file (STATE"+audit.HeadFileSuffix+"), and check that\n"+
			"every key of every succeeded run has its entry. Exit 0 when the log is intact (the\n"+
			"head hash printed is worth keeping elsewhere too), 1 naming each edited, inserted,\n"+
			"removed or reordered entry, a removed tail, and each succeeded run key without an entry.")
	st, l, err := auditStateCmd(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := l.Verify(ctx)
	if rep.OK() && err == nil {
		fmt.Fprintf(stdout, "ok: %d entries, head seq %d hash %s (head file %s)\n", rep.Entries, rep.Head.Seq, rep.Head.Hash, auditHeadFileState(rep))
		return nil
	}
	if rep.OK() { // an I/O error, not a broken chain
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(stdout, "BROKEN %v\n", p)
	}
	for _, g := range rep.Gaps {
		fmt.Fprintf(stdout, "MISSING %v\n", g)
	}
	return &exitError{Code: 1, Err: fmt.Errorf("audit log is not intact: %w", rep.Err())}
}

func auditHeadFileState(rep audit.Report) string {
	if !rep.HeadFileFound {
		return "none: no entries yet"
	}
	return "agrees: " + rep.HeadFile
}

func auditAdoptHead(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit adopt-head", "[--state FILE]",
		"Write STATE"+audit.HeadFileSuffix+" for a state file whose audit log has entries but no head file\n"+
			"(made before byok kept one). Refused unless the chain verifies and every succeeded run has\n"+
			"its entries; refused when a head file exists. The state file itself is only read.")
	st, l, err := auditStateCmd(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	h, err := l.AdoptHead(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: head seq %d hash %s\n", l.HeadFile(), h.Seq, h.Hash)
	return nil
}
