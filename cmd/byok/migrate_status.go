package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

const migrateStatusDoc = `Without RUN, list the migration runs (and their rollbacks) in the state file,
newest first. With RUN, show each resource of it: the step it reached and that
step's phase (begin: under way or killed there; fail: stopped with the error),
the key it was on, the target key, the original and replacement resource IDs,
and what verify read back. byok migrate resume RUN continues an unfinished run.`

// migrationStatus is one resource of a migration run.
type migrationStatus struct {
	Resource      string          `json:"resource"`
	Strategy      string          `json:"strategy"`
	Step          string          `json:"step"`
	Phase         string          `json:"phase"`
	Error         string          `json:"error,omitempty"`
	OldKey        string          `json:"old_key,omitempty"`
	TargetKey     string          `json:"target_key,omitempty"`
	OldResourceID string          `json:"old_resource_id,omitempty"`
	NewResourceID string          `json:"new_resource_id,omitempty"`
	Verification  json.RawMessage `json:"verification,omitempty"`
}

type migrationRun struct {
	ID        store.RunID       `json:"id"`
	Strategy  string            `json:"strategy"`
	Status    string            `json:"status"`
	Target    store.RunID       `json:"target,omitempty"`
	Created   time.Time         `json:"created"`
	Error     string            `json:"error,omitempty"`
	Resources []migrationStatus `json:"resources,omitempty"`
}

func isMigrationRun(r store.Run) bool { return strings.HasPrefix(r.Strategy, "migrate-") }

func migrateStatusCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate status", "[RUN] [--state FILE] [--format table|json]", migrateStatusDoc)
	fs.SetOutput(stderr)
	statePath := stateFlag(fs)
	format := addFormatFlag(fs, "json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := format.check("migrate status"); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError("migrate status", "unexpected argument %q: give at most one RUN", fs.Arg(1))
	}
	st, err := stateOpenExisting(ctx, *statePath)
	if err != nil {
		return err
	}
	defer st.Close()
	if fs.NArg() == 0 {
		return listMigrationRuns(ctx, st, stdout, format.is("json"))
	}
	id, err := store.ParseRunID(fs.Arg(0))
	if err != nil {
		return usageError("migrate status", "RUN %q: %v", fs.Arg(0), err)
	}
	mr, err := migrationRunStatus(ctx, st, id)
	if err != nil {
		return err
	}
	if format.is("json") {
		return writeJSON(stdout, mr)
	}
	return printMigrationRun(stdout, mr)
}

func listMigrationRuns(ctx context.Context, st *store.Store, w io.Writer, asJSON bool) error {
	runs, err := st.ListRuns(ctx)
	if err != nil {
		return err
	}
	out := []migrationRun{}
	for _, r := range runs {
		if isMigrationRun(r) {
			out = append(out, migrationRun{ID: r.ID, Strategy: r.Strategy, Status: r.Status.String(), Target: r.Target, Created: r.Created, Error: r.Error})
		}
	}
	if asJSON {
		return writeJSON(w, out)
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tCREATED\tSTATUS\tSTRATEGY\tTARGET")
	for _, r := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Created.UTC().Format(time.RFC3339), r.Status, r.Strategy, runsDash(string(r.Target)))
	}
	return tw.Flush()
}

func migrationRunStatus(ctx context.Context, st *store.Store, id store.RunID) (migrationRun, error) {
	r, err := st.GetRun(ctx, id)
	if err != nil {
		return migrationRun{}, err
	}
	if !isMigrationRun(r) {
		return migrationRun{}, usageError("migrate status", "run %s is a %s run, not a migration (byok runs show %s shows it)", id, r.Strategy, id)
	}
	mr := migrationRun{ID: r.ID, Strategy: r.Strategy, Status: r.Status.String(), Target: r.Target, Created: r.Created, Error: r.Error}
	rks, err := st.ListRunKeys(ctx, id)
	if err != nil {
		return mr, err
	}
	for _, rk := range rks {
		step, ph, err := st.LastStep(ctx, id, rk.KeyARN)
		if err != nil {
			return mr, err
		}
		ms := migrationStatus{Resource: rk.KeyARN, Strategy: rk.Strategy, Step: step.String(), Phase: ph.String(), Error: rk.Error,
			OldKey: rk.OldKeyID, TargetKey: rk.NewKeyID, OldResourceID: rk.OldMaterialID, NewResourceID: rk.NewMaterialID, Verification: rk.Verification}
		if step == store.StepUnknown {
			ms.Step, ms.Phase = "admitted", "-"
		}
		mr.Resources = append(mr.Resources, ms)
	}
	return mr, nil
}

func printMigrationRun(w io.Writer, mr migrationRun) error {
	fmt.Fprintf(w, "run %s  %s  %s\n", mr.ID, mr.Strategy, mr.Status)
	if mr.Error != "" {
		fmt.Fprintf(w, "  %s\n", mr.Error)
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tSTRATEGY\tSTEP\tPHASE\tOLD KEY\tTARGET KEY")
	for _, r := range mr.Resources {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Resource, r.Strategy, r.Step, r.Phase, runsDash(r.OldKey), runsDash(r.TargetKey))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range mr.Resources {
		if r.Error != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Resource, r.Error)
		}
	}
	return nil
}
