package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{
		Name:    "runs list",
		Summary: "list rotation runs recorded in the state file, newest first",
		Main:    runsList,
	})
	register(&command{
		Name:    "runs show",
		Summary: "show one run per key: step reached, material IDs, canaries, digest, errors",
		Main:    runsShow,
	})
}

func stateFlag(fs *flag.FlagSet) *string {
	return fs.String("state", "", "state file (default $"+store.EnvStatePath+" or ./.byok/state.db)")
}

func stateParse(fs *flag.FlagSet, args []string) error {
	return parseFlags(fs, args)
}

// stateOpenExisting opens the state file read-only for reading commands;
// a missing, empty or foreign file is refused naming --state / BYOK_STATE
// (creating an empty one would hide the typo).
func stateOpenExisting(ctx context.Context, path string) (*store.Store, error) {
	if path == "" {
		path = store.DefaultPath()
	}
	return store.OpenMode(ctx, path, store.ModeRead)
}

func runsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("runs list", "[--state FILE] [--state-location s3://BUCKET/PREFIX] [--format table|json]",
		"List the runs in the state file, newest first; with a shared state location, then the runs other\n"+
			"operators journaled there that this state file does not hold (status from their run journal).")
	fs.SetOutput(stderr)
	f := addRunsFlags(fs)
	format := addFormatFlag(fs, "json")
	if err := stateParse(fs, args); err != nil {
		return err
	}
	if err := format.check("runs list"); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return &exitError{Code: 64, Err: fmt.Errorf("unexpected argument %q; runs list takes only --state", fs.Arg(0))}
	}
	v, err := openRunsView(ctx, f, stderr)
	if err != nil {
		return err
	}
	defer v.Close()
	st := v.store
	runs, err := st.ListRuns(ctx)
	if err != nil {
		return err
	}
	shared, err := sharedOnlyRuns(ctx, v, runs)
	if err != nil {
		return err
	}
	if format.is("json") {
		return runsListJSON(ctx, stdout, st, runs, shared)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tCREATED\tSTATUS\tSTRATEGY\tKEYS\tCHANGE\tOPERATOR")
	for _, r := range runs {
		keys, err := st.ListRunKeys(ctx, r.ID)
		if err != nil {
			return err
		}
		status := r.Status.String()
		if r.DryRun {
			status += " (dry-run)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, r.Created.UTC().Format("2006-01-02 15:04:05Z"),
			status, r.Strategy, len(keys), runsDash(r.ChangeRef), runsDash(r.Operator))
	}
	printSharedRuns(tw, shared)
	return tw.Flush()
}

func runsShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("runs show", "RUN [--state FILE] [--state-location s3://BUCKET/PREFIX] [--format table|json]",
		"Show a run: per key the step reached, material and key IDs, canaries per account,\n"+
			"the wrapped-blob digest and errors; for an unfinished run, how to resume it. A run this\n"+
			"state file does not hold is read from the shared state location's run journal.")
	fs.SetOutput(stderr)
	f := addRunsFlags(fs)
	format := addFormatFlag(fs, "json")
	id, err := runArgs(fs, args)
	if err != nil {
		return err
	}
	if err := format.check("runs show"); err != nil {
		return err
	}
	v, err := openRunsView(ctx, f, stderr)
	if err != nil {
		return err
	}
	defer v.Close()
	st := v.store
	r, err := st.GetRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) && v.shared != nil {
		return showSharedRun(ctx, stdout, v, id, format.is("json"))
	}
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("run %s is not in %s (see byok runs list): %w", id, st.Path(), err)
	}
	if err != nil {
		return err
	}
	keys, err := st.ListRunKeys(ctx, id)
	if err != nil {
		return err
	}
	if format.is("json") {
		return runShowJSON(ctx, stdout, st, r, keys)
	}
	runsPrintHeader(stdout, r)
	if err := runsPrintRequest(ctx, stdout, st, r, keys); err != nil {
		return err
	}
	for _, k := range keys {
		if err := runsPrintKey(ctx, stdout, st, r, k); err != nil {
			return err
		}
	}
	if !r.Status.Finished() && !r.DryRun {
		fmt.Fprintf(stdout, "\nresume with: byok resume %s\n", r.ID)
	}
	return nil
}

func runsPrintHeader(w io.Writer, r store.Run) {
	fmt.Fprintf(w, "run:       %s\n", r.ID)
	status := r.Status.String()
	if r.DryRun {
		status += " (dry-run)"
	}
	fmt.Fprintf(w, "status:    %s\n", status)
	fmt.Fprintf(w, "strategy:  %s\n", r.Strategy)
	if r.Target != "" {
		fmt.Fprintf(w, "rolls back: %s\n", r.Target)
	}
	fmt.Fprintf(w, "change:    %s\n", runsDash(r.ChangeRef))
	fmt.Fprintf(w, "operator:  %s\n", runsDash(r.Operator))
	fmt.Fprintf(w, "created:   %s\n", store.FormatTime(r.Created))
	switch {
	case r.Status == store.StatusRolledBack:
		fmt.Fprintf(w, "note:      %s\n", r.Error) // "rolled back by run …"
	case r.Error != "":
		fmt.Fprintf(w, "error:     %s\n", r.Error)
	}
}

func runsPrintKey(ctx context.Context, w io.Writer, st *store.Store, r store.Run, k store.RunKey) error {
	step, phase, err := st.LastStep(ctx, k.RunID, k.KeyARN)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nkey %s\n", k.KeyARN)
	fmt.Fprintf(w, "  step:       %s\n", runsStepText(step, phase))
	fmt.Fprintf(w, "  strategy:   %s\n", runsDash(k.Strategy))
	fmt.Fprintf(w, "  material:   %s\n", runsMaterialText(k.Strategy, k))
	if k.OldKeyID != "" || k.NewKeyID != "" {
		fmt.Fprintf(w, "  key ID:     %s -> %s\n", runsDash(k.OldKeyID), runsDash(k.NewKeyID))
	}
	fmt.Fprintf(w, "  digest:     %s\n", runsDash(k.BlobSHA256))
	if k.HSMLabel != "" {
		fmt.Fprintf(w, "  hsm object: %s\n", k.HSMLabel)
	}
	if !k.ParametersValidTo.IsZero() {
		fmt.Fprintf(w, "  token until: %s\n", store.FormatTime(k.ParametersValidTo))
	}
	for _, c := range k.Canaries {
		fmt.Fprintf(w, "  canary:     %s %s %s\n", c.Account, runsDash(c.Region), runsCipherPrefix(c.Ciphertext))
	}
	if len(k.Verification) > 0 {
		fmt.Fprintf(w, "  verified:   %s\n", k.Verification)
	}
	if k.Error != "" {
		fmt.Fprintf(w, "  error:      %s\n", k.Error)
	}
	return nil
}

// runsMaterialText is old -> new for a rotation; a re-import keeps its
// material and only drops the ValidTo.
func runsMaterialText(strategy string, k store.RunKey) string {
	switch strategy {
	case rotation.ImportFirst.String():
		if k.NewMaterialID == "" {
			return "- (first material: not yet imported)"
		}
		return k.NewMaterialID + " (first material, imported)"
	case rotation.ImportExisting.String():
		if k.NewMaterialID == "" {
			return runsDash(k.OldMaterialID) + " (to import again: not yet imported)"
		}
		return k.NewMaterialID + " (imported again: same material)"
	case rotation.StrategyReimport:
	default:
		return runsDash(k.OldMaterialID) + " -> " + runsDash(k.NewMaterialID)
	}
	if k.NewMaterialID == "" {
		return runsDash(k.OldMaterialID) + " (re-import without expiry: not yet imported)"
	}
	return k.NewMaterialID + " (re-imported without expiry: same material, ValidTo removed)"
}

func runsStepText(step store.Step, phase store.Phase) string {
	switch phase {
	case store.PhaseUnknown:
		return "not started"
	case store.PhaseBegin:
		return step.String() + " (begun, not finished)"
	case store.PhaseFail:
		return step.String() + " (failed)"
	}
	return step.String()
}

// runsCipherPrefix shows enough of a canary to tell them apart.
func runsCipherPrefix(ct []byte) string {
	b := base64.StdEncoding.EncodeToString(ct)
	if len(b) > 16 {
		return b[:16] + "…"
	}
	return b
}

func runsDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
