package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sharedstate"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "rotate", Summary: "rotate key material from the HSM, in place or to a new key, verified from every account",
		Main: rotateCmd})
}

func rotateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rotate", "(--key ALIAS | --due | --env E [--service S] | --plan FILE) [--strategy in-place|new-key] [--change-ref REF] [--yes] [--dry-run] [--format table|json]",
		"Rotate estate keys: new AES-256 material in the HSM, wrapped under the KMS import public key,\n"+
			"imported and rotated in place (same key ID) or into a new key with the alias moved. With --due,\n"+
			"expiring material byok imported is re-imported without expiry in the same run. Every step is\n"+
			"journaled; Ctrl-C stops at the next step boundary and `byok resume RUN` continues. --dry-run\n"+
			"prints exactly the keys and steps --yes runs; --plan runs a plan saved by byok plan --out,\n"+
			"refused when anything it was decided from changed.")
	f := addRotationFlags(fs)
	sel := keySelection{fs.String("env", "", "environment"), fs.String("service", "", "s3, rds or dynamodb"), fs.String("key", "", "alias (e.g. alias/prod/rds)")}
	due := fs.Bool("due", false, "rotate every selected key that is overdue, and re-import without expiry the expiring material byok imported")
	planFile := fs.String("plan", "", "execute the plan saved in FILE by byok plan --out (no other selection)")
	strategy := fs.String("strategy", "", "in-place or new-key (default: the estate policy)")
	changeRef := fs.String("change-ref", "", "change reference recorded in the audit log")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	dry := fs.Bool("dry-run", false, "show the keys and steps the run would run and stop")
	format := addFormatFlag(fs, "json")
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := format.check("rotate"); err != nil {
		return err
	}
	if err := checkSelection(sel, *due, *planFile, *strategy); err != nil {
		return err
	}
	f.stateMode = map[bool]store.Mode{false: store.ModeCreate, true: store.ModeReadIfExists}[*dry]
	env, err := openRotation(ctx, f, !*dry, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	o := rotateOpts{due: *due, strategy: pickStrategy(*strategy, env.est), changeRef: *changeRef, yes: *yes, dry: *dry,
		json: format.is("json"), planFile: *planFile}
	return rotateSelected(ctx, env, sel, o, stdout, stderr)
}

// checkSelection: exactly one way of choosing keys.
func checkSelection(sel keySelection, due bool, planFile, strategy string) error {
	if planFile != "" {
		if *sel.key != "" || due || *sel.env != "" || *sel.service != "" || strategy != "" {
			return usageError("rotate", "--plan runs the saved plan's own selection: drop --key, --due, --env, --service and --strategy")
		}
		return nil
	}
	if *sel.key == "" && !due && *sel.env == "" {
		return usageError("rotate", "choose keys with --key, --due, --env or --plan")
	}
	return nil
}

type rotateOpts struct {
	due       bool
	strategy  estate.Strategy
	changeRef string
	yes, dry  bool
	json      bool
	planFile  string
}

// rotateSelected decides the request once (rotation.Engine.Prepare, or a
// saved plan checked against it) and then either prints it (--dry-run) or
// runs exactly it: the dry run and the run cannot disagree.
func rotateSelected(ctx context.Context, env *rotationEnv, sel keySelection, o rotateOpts, stdout, stderr io.Writer) error {
	p, plans, err := prepareRotation(ctx, env, sel, o)
	if err != nil {
		return err
	}
	if !o.json {
		printPlans(stdout, plans)
	}
	work := rotation.Summarize(plans, p.Selector)
	if err := printPrepared(stdout, env, p, o.dry, o.json); err != nil || o.dry {
		return err
	}
	if p.Runs() == 0 {
		fmt.Fprintln(stdout, "\nnothing to rotate")
		if err := refusedError(p); err != nil {
			return err
		}
		return manualError(work.Manual)
	}
	if !o.yes && !confirmText(stderr, fmt.Sprintf("run %d key(s) as listed?", p.Runs())) {
		return errors.New("not confirmed; pass --yes to run without a prompt")
	}
	env.engine.Progress = timedProgressPrinter(ctx, stderr, env.engine.WatchWindow)
	out := env.engine.ExecutePrepared(ctx, p, plans)
	for _, r := range out.Reimported {
		fmt.Fprintf(stdout, "re-imported %s material %s without expiry (ValidTo removed); verified from every account; audit entry under %s\n",
			r.Alias, r.MaterialID, r.RunID)
	}
	if err := reportRun(stdout, out.Run, out.Err); err != nil {
		return errors.Join(err, manualError(work.Manual))
	}
	return manualError(work.Manual)
}

// prepareRotation is the one decision of a rotate invocation: from the
// selection, or from a saved plan that must still hold.
func prepareRotation(ctx context.Context, env *rotationEnv, sel keySelection, o rotateOpts) (rotation.Prepared, []rotation.Plan, error) {
	if o.planFile != "" {
		return preparePlanFile(ctx, env, o)
	}
	if o.strategy != estate.StrategyInPlace && o.strategy != estate.StrategyNewKey {
		return rotation.Prepared{}, nil, fmt.Errorf("--strategy %q: use in-place or new-key", o.strategy)
	}
	keys, err := sel.pick(env.est)
	if err != nil {
		return rotation.Prepared{}, nil, err
	}
	plans, err := env.engine.PlanKeys(ctx, keys, o.strategy)
	if err != nil {
		return rotation.Prepared{}, plans, err
	}
	req := rotation.Request{Keys: keys, Strategy: o.strategy, ChangeRef: o.changeRef, Plans: plans,
		Selector: rotation.Selector{Due: o.due, Env: *sel.env, Service: *sel.service, Key: *sel.key}}
	p, err := env.engine.Prepare(ctx, req)
	return p, plans, err
}

// errManualReimport: rotate --due saw expiring material byok did not
// import; the plan above names each with what the operator must do.
var errManualReimport = errors.New("expiring key material that byok did not import is left as it was")

// errAllRefused: every key the request asked for was refused, so nothing
// ran; the operator asked for work that was not done (exit 1).
var errAllRefused = errors.New("refused")

// refusedError names the refused keys of a request that runs nothing.
func refusedError(p rotation.Prepared) error {
	var names []string
	for _, it := range p.Items {
		if it.Admission == store.AdmissionRefused {
			names = append(names, it.Key.Alias+" ("+it.Reason+")")
		}
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("%d key(s) %w, nothing changed: %s", len(names), errAllRefused, strings.Join(names, "; "))
}

func manualError(n int) error {
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d material(s): %w; re-import each from the HSM that holds it (OPERATOR ACTION above)", n, errManualReimport)
}

func reportRun(w io.Writer, id store.RunID, err error) error {
	if id != "" {
		fmt.Fprintf(w, "run %s\n", id)
	}
	if err == nil {
		fmt.Fprintln(w, "run succeeded; verified from every account; audit entry recorded")
		if id != "" {
			fmt.Fprintf(w, "CloudTrail shows calls after up to ~15 minutes; to watch the keys' consumers since the run began:\n  byok watch --run %s --for 15m\n", id)
		}
		return nil
	}
	var stopped *rotation.StoppedError
	if errors.As(err, &stopped) {
		return &exitError{Code: 3, Err: err}
	}
	var partial *rotation.PartialError
	if errors.As(err, &partial) {
		return fmt.Errorf("%w\nbyok runs show %s shows the request; the refused keys need the action their reason names; then rotate them again", err, id)
	}
	if id != "" && resumable(err) {
		return fmt.Errorf("%w\nresume with: byok resume %s", err, id)
	}
	return err
}

// resumable reports whether byok resume can continue after err: not for
// a run that already ended or does not exist, nor one another live
// process holds (its error names that process and what to do).
func resumable(err error) bool {
	return !errors.Is(err, rotation.ErrNothingToResume) && !errors.Is(err, store.ErrNotFound) &&
		!errors.Is(err, store.ErrHeld) && !errors.Is(err, sharedstate.ErrHeld) && !errors.Is(err, store.ErrInvalid)
}
