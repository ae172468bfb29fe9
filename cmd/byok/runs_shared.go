package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sharedstate"
	"github.com/byok-dev/byok/internal/store"
)

// addRunsFlags defines the flags of runs list and runs show: the local
// state file and, to read run journals other operators wrote, the shared
// state location (and the estate that may name it).
func addRunsFlags(fs *flag.FlagSet) rotationFlags {
	addAWSFlags(fs)
	return rotationFlags{statePath: stateFlag(fs),
		estateFile: fs.String("estate", "", "estate file whose state_location: is read (default $"+estate.EnvVar+" or ./"+estate.DefaultFile+")"),
		stateLocation: fs.String("state-location", "", "also read the run journals of the shared state location s3://BUCKET/PREFIX\n"+
			"(default $"+app.StateLocationEnv+", else state_location: in the estate; none: the state file only)"),
		hsmURI: new(string), verbose: new(bool), watch: new(time.Duration)}
}

// hasStateLocation reports whether a shared state location is given: by
// flag, environment, or the estate file's state_location.
func hasStateLocation(estateFlag, locFlag string) bool {
	if loc, _ := app.ResolveStateLocation(locFlag, ""); loc != "" {
		return true
	}
	est, src, err := estate.Resolve(estateFlag)
	return err == nil && src != estate.ExampleSource && est.StateLocation != ""
}

// openRunsView opens what runs list/show read: the state file alone (it
// must exist, as before) without a shared state location; with one, the
// state file if it exists and the location's run journals.
func openRunsView(ctx context.Context, f rotationFlags, stderr io.Writer) (*stateView, error) {
	if !hasStateLocation(*f.estateFile, *f.stateLocation) {
		st, err := stateOpenExisting(ctx, *f.statePath)
		if err != nil {
			return nil, err
		}
		return &stateView{store: st}, nil
	}
	v, err := openStateView(ctx, f, stderr)
	if loc, _ := app.ResolveStateLocation(*f.stateLocation, ""); err == nil || loc != "" {
		return v, err
	}
	// Only the estate names the location: the state file is still worth
	// reading (offline, no credentials), and byok says what it left out.
	st, lerr := stateOpenExisting(ctx, *f.statePath)
	if lerr != nil {
		return nil, errors.Join(err, lerr)
	}
	fmt.Fprintf(stderr, "byok: the estate's shared state location was not read (%v); showing the state file only\n", err)
	return &stateView{store: st}, nil
}

// sharedOnlyRuns are the shared run journals of runs the state file does
// not hold, newest first.
func sharedOnlyRuns(ctx context.Context, v *stateView, local []store.Run) ([]sharedstate.RunRecord, error) {
	if v.shared == nil {
		return nil, nil
	}
	recs, err := v.shared.ListRuns(ctx)
	if err != nil {
		return nil, fmt.Errorf("run journals in %s: %w", v.shared.Location, err)
	}
	return slices.DeleteFunc(recs, func(r sharedstate.RunRecord) bool {
		return slices.ContainsFunc(local, func(l store.Run) bool { return l.ID.String() == r.Run })
	}), nil
}

// printSharedRuns adds the shared runs to runs list's table.
func printSharedRuns(tw *tabwriter.Writer, recs []sharedstate.RunRecord) {
	for _, r := range recs {
		created := "-"
		if t, err := store.RunID(r.Run).Time(); err == nil {
			created = t.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.Run, created, r.Status+" (shared: "+r.Host+")", "-", len(r.Keys), "-", runsDash(r.Holder))
	}
}

// sharedRunJSON is a shared run journal as runs list/show print it.
func sharedRunJSON(r sharedstate.RunRecord) runJSON {
	j := runJSON{ID: r.Run, Updated: r.Updated.UTC().Format(time.RFC3339), Status: r.Status, Operator: r.Holder,
		Source: "shared", Host: r.Host, PID: r.PID, Keys: []runKeyJSON{}}
	if t, err := store.RunID(r.Run).Time(); err == nil {
		j.Created = t.UTC().Format(time.RFC3339)
	}
	for _, k := range r.Keys {
		j.Keys = append(j.Keys, runKeyJSON{KeyARN: k.Key, Step: k.Step, Phase: k.Phase, Error: k.Error})
	}
	return j
}

// showSharedRun prints a run the state file does not hold from its shared
// journal object: its holder and each key's last step boundary.
func showSharedRun(ctx context.Context, w io.Writer, v *stateView, id store.RunID, asJSON bool) error {
	r, err := v.shared.GetRun(ctx, id.String())
	if errors.Is(err, sharedstate.ErrNotFound) {
		return fmt.Errorf("run %s is neither in %s nor in %s (see byok runs list): %w", id, v.store.Path(), v.shared.Location, store.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(w, sharedRunJSON(r))
	}
	fmt.Fprintf(w, "run:       %s\n", r.Run)
	fmt.Fprintf(w, "status:    %s (from the shared run journal in %s)\n", r.Status, v.shared.Location)
	fmt.Fprintf(w, "operator:  %s\n", runsDash(r.Holder))
	fmt.Fprintf(w, "process:   %d on %s\n", r.PID, runsDash(r.Host))
	fmt.Fprintf(w, "updated:   %s\n", store.FormatTime(r.Updated))
	for _, k := range r.Keys {
		fmt.Fprintf(w, "\nkey %s\n  step:       %s (%s)\n", k.Key, k.Step, k.Phase)
		if k.Error != "" {
			fmt.Fprintf(w, "  error:      %s\n", k.Error)
		}
	}
	fmt.Fprintf(w, "\nthe run's journal, materials and audit entries are in the state file of its operator on %s;\n"+
		"continue it there with: byok resume %s --state <that file>\n", runsDash(r.Host), r.Run)
	return nil
}
