package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "rotate", Summary: "rotate key material from the HSM, in place or to a new key, verified from every account",
		Main: rotateCmd})
}

func rotateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rotate", "(--key ALIAS | --due | --env E [--service S]) [--strategy in-place|new-key] [--change-ref REF] [--yes] [--dry-run]",
		"Rotate estate keys: new AES-256 material in the HSM, wrapped under the KMS import public key,\n"+
			"imported and rotated in place (same key ID) or into a new key with the alias moved. Every step\n"+
			"is journaled; Ctrl-C stops at the next step boundary and `byok resume RUN` continues.")
	f := addRotationFlags(fs)
	sel := keySelection{fs.String("env", "", "environment"), fs.String("service", "", "s3, rds or dynamodb"), fs.String("key", "", "alias (e.g. alias/prod/rds)")}
	due := fs.Bool("due", false, "rotate every selected key that is overdue, and re-import without expiry the expiring material byok imported")
	strategy := fs.String("strategy", "", "in-place or new-key (default: the estate policy)")
	changeRef := fs.String("change-ref", "", "change reference recorded in the audit log")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	dry := fs.Bool("dry-run", false, "show the plan and stop")
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *sel.key == "" && !*due && *sel.env == "" {
		return fmt.Errorf("choose keys with --key, --due or --env (see byok rotate --help)")
	}
	f.stateMode = map[bool]store.Mode{false: store.ModeCreate, true: store.ModeReadIfExists}[*dry]
	env, err := openRotation(ctx, f, !*dry, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	return rotateSelected(ctx, env, sel, rotateOpts{due: *due, strategy: pickStrategy(*strategy, env.est), changeRef: *changeRef, yes: *yes, dry: *dry}, stdout, stderr)
}

type rotateOpts struct {
	due       bool
	strategy  estate.Strategy
	changeRef string
	yes, dry  bool
}

func rotateSelected(ctx context.Context, env *rotationEnv, sel keySelection, o rotateOpts, stdout, stderr io.Writer) error {
	if o.strategy != estate.StrategyInPlace && o.strategy != estate.StrategyNewKey {
		return fmt.Errorf("--strategy %q: use in-place or new-key", o.strategy)
	}
	keys, err := sel.pick(env.est)
	if err != nil {
		return err
	}
	plans, err := env.engine.PlanKeys(ctx, keys, o.strategy)
	if err != nil {
		return err
	}
	printPlans(stdout, plans)
	sel2 := rotation.Selector{Due: o.due, Env: *sel.env, Service: *sel.service, Key: *sel.key}
	work := rotation.Summarize(plans, sel2)
	if work.Rotations+work.Reimports == 0 || o.dry {
		fmt.Fprintln(stdout, "\nnothing to rotate"+map[bool]string{true: " (dry run)", false: ""}[o.dry && work.Rotations+work.Reimports > 0])
		return manualError(work.Manual)
	}
	if !o.yes && !confirm(stderr, work.Rotations, work.Reimports) {
		return errors.New("not confirmed; pass --yes to run without a prompt")
	}
	env.engine.Progress = timedProgressPrinter(ctx, stderr, env.engine.WatchWindow)
	// The engine gets every selected key and the selection, and decides:
	// re-imports first, then one run whose request holds every key.
	out := env.engine.Execute(ctx, rotation.Request{Keys: keys, Strategy: o.strategy, ChangeRef: o.changeRef,
		Plans: plans, Selector: sel2})
	if err := reportReimports(stdout, out); err != nil {
		return errors.Join(err, manualError(work.Manual))
	}
	if out.Run != "" || out.RunErr != nil {
		if err := reportRun(stdout, out.Run, out.RunErr); err != nil {
			return errors.Join(err, manualError(work.Manual))
		}
	}
	return manualError(work.Manual)
}

// reimportPlans and duePlans select plans for byok serve's wiring, which
// hands them to the engine itself (byok rotate uses Engine.Execute).
func reimportPlans(plans []rotation.Plan) ([]rotation.Plan, int) {
	return rotation.Reimportable(plans), rotation.Summarize(plans, rotation.Selector{Due: true}).Manual
}

func duePlans(plans []rotation.Plan) []rotation.Plan { return rotation.DuePlans(plans) }

// errManualReimport: rotate --due saw expiring material byok did not
// import; the plan above names each with what the operator must do.
var errManualReimport = errors.New("expiring key material that byok did not import is left as it was")

func manualError(n int) error {
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d material(s): %w; re-import each from the HSM that holds it (OPERATOR ACTION above)", n, errManualReimport)
}

// reportReimports prints the re-imports of a --due request: journaled
// runs (strategy reimport) that byok resume continues.
func reportReimports(stdout io.Writer, out rotation.Outcome) error {
	if out.ReimportRun != "" {
		fmt.Fprintf(stdout, "re-import run %s\n", out.ReimportRun)
	}
	for _, r := range out.Reimported {
		fmt.Fprintf(stdout, "re-imported %s material %s without expiry (ValidTo removed); verified from every account; audit entry under %s\n",
			r.Alias, r.MaterialID, r.RunID)
	}
	err := out.ReimportErr
	if err == nil {
		return nil
	}
	var stopped *rotation.StoppedError
	if errors.As(err, &stopped) {
		return &exitError{Code: 3, Err: err}
	}
	if out.ReimportRun != "" {
		return fmt.Errorf("re-import: %w\nbyok runs show %s shows the step each key reached", err, out.ReimportRun)
	}
	return fmt.Errorf("re-import: %w", err)
}

func confirm(w io.Writer, keys, materials int) bool {
	if fi, err := os.Stdin.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	fmt.Fprintf(w, "rotate %d key(s) and re-import %d expiring material(s)? type yes: ", keys, materials)
	var answer string
	_, _ = fmt.Fscanln(os.Stdin, &answer)
	return answer == "yes"
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
		return fmt.Errorf("%w\nbyok runs show %s shows the request; the refused keys need the action their reason names, then a new byok rotate", err, id)
	}
	if id != "" {
		return fmt.Errorf("%w\nresume with: byok resume %s", err, id)
	}
	return err
}
