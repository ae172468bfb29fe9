package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "migrate apply", Summary: "move planned resources onto their estate key, as a journaled, resumable run",
		Main: migrateApplyCmd})
}

const migrateApplyDoc = `Plan (as byok migrate plan does, or read --plan FILE and check it again) and
apply the items whose pre-flight passed, as one journaled run of the rotation
state machine: each resource follows its method's procedure, its ARN is the
journal's subject and is locked; every step is journaled before and after it
runs; Ctrl-C stops at a step boundary; byok migrate resume RUN continues.
Changes go through each member account's migration role only
(deploy/member-account.yaml, EnableMigrationRole=true). Nothing is deleted.

  RDS instance   final snapshot, copy under the target key, restore with the
                 original's placement, rename switch (NAME-byok-old-RUN and
                 NAME), verify, stop the original (kept for rollback)
  Aurora cluster the same with cluster snapshots and one instance per member
  DynamoDB       UpdateTable SSESpecification per replica, wait ENABLED
  S3 bucket      default encryption onto the target key with a bucket key,
                 every current object copied onto itself under it (in-process,
                 checkpointed; an S3 Batch Operations job above
                 --batch-threshold objects), locked objects skipped and listed,
                 noncurrent versions on the old key counted, verify

RDS and Aurora need writes stopped from the final snapshot to the switch: give
--writers-stopped, or answer the prompt on a terminal (refused when piped);
the confirmation is journaled and audited. --dry-run prints exactly the
request --yes runs.`

type migrateApplyFlags struct {
	rot            rotationFlags
	sel            migrationSelection
	planFile       string
	yes, dry       bool
	writersStopped bool
	maxParallel    int
	changeRef      string
	poll, timeout  time.Duration
	format         *outputFormat
	s3             s3MigrationFlags
}

func addMigrationRunFlags(fs *flag.FlagSet, f *migrateApplyFlags) {
	fs.StringVar(&f.sel.role, "migration-role", defaultMigrationRole, "the migration role in each member account ({account} is replaced)")
	fs.BoolVar(&f.writersStopped, "writers-stopped", false, "confirm that the writers of every RDS/Aurora resource of the run are stopped\n(journaled and audited; without it byok asks on a terminal, and refuses when piped)")
	fs.DurationVar(&f.poll, "poll", 15*time.Second, "how often a waiting step asks AWS again")
	fs.DurationVar(&f.timeout, "wait-timeout", 2*time.Hour, "how long one wait (snapshot, copy, restore, rename, key switch) may take before the step fails (resumable)")
	addS3MigrationFlags(fs, &f.s3)
}

func parseMigrateApplyFlags(args []string, stderr io.Writer) (migrateApplyFlags, error) {
	fs := newFlagSet("migrate apply", "[--env E] [--key K] [--resource ARN] [--to KEY-ARN] [--plan FILE] [--yes|--dry-run] [--writers-stopped] [--max-parallel N]", migrateApplyDoc)
	fs.SetOutput(stderr)
	var f migrateApplyFlags
	f.rot = addRotationFlags(fs)
	fs.StringVar(&f.sel.env, "env", "", "migrate only the resources of this environment's account")
	fs.StringVar(&f.sel.key, "key", "", "migrate only resources on this key (key ARN, key ID, or an estate alias)")
	fs.StringVar(&f.sel.resource, "resource", "", "migrate only this resource (its ARN)")
	fs.StringVar(&f.sel.to, "to", "", "target key ARN for every selected resource (default: each resource's estate key)")
	fs.StringVar(&f.planFile, "plan", "", "apply the Ready items of a saved byok migrate plan --format json (the pre-flight runs again)")
	fs.BoolVar(&f.yes, "yes", false, "do not ask for confirmation")
	fs.BoolVar(&f.dry, "dry-run", false, "print the request the run would journal; change nothing")
	fs.IntVar(&f.maxParallel, "max-parallel", 4, "how many resources migrate at once (per Region)")
	fs.StringVar(&f.changeRef, "change-ref", "", "change reference recorded with the run and in the audit")
	addMigrationRunFlags(fs, &f)
	f.format = addFormatFlag(fs, "json")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	return f, f.check()
}

func (f *migrateApplyFlags) check() error {
	switch {
	case f.yes && f.dry:
		return usageError("migrate apply", "--yes and --dry-run exclude each other")
	case f.maxParallel < 1:
		return usageError("migrate apply", "--max-parallel %d: give at least 1", f.maxParallel)
	case f.poll <= 0 || f.timeout <= 0:
		return usageError("migrate apply", "--poll and --wait-timeout must be positive")
	case f.planFile != "" && (f.sel.env != "" || f.sel.key != "" || f.sel.resource != "" || f.sel.to != ""):
		return usageError("migrate apply", "--plan applies a saved plan; select with byok migrate plan instead of --env/--key/--resource/--to")
	}
	if f.sel.to != "" {
		if err := migrate.CheckTargetARN(f.sel.to); err != nil {
			return usageError("migrate apply", "--to: %v", err)
		}
	}
	return f.format.check("migrate apply")
}

func migrateApplyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseMigrateApplyFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.dry {
		f.rot.stateMode = store.ModeReadIfExists
	} else {
		f.rot.stateMode = store.ModeCreate
	}
	env, err := openMigration(ctx, f.rot, f.sel.role, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	plan, err := applyPlan(ctx, env, f, stderr)
	if err != nil {
		return err
	}
	p, skipped, err := prepareMigration(env.engine, plan, f.changeRef)
	if err != nil {
		return err
	}
	if err := printMigrationRequest(stdout, p, skipped, f.dry, f.format.is("json")); err != nil || f.dry {
		return err
	}
	if len(p.Items) == 0 {
		return &exitError{Code: exitFailed, Err: fmt.Errorf("no resource passed its pre-flight: nothing to apply (%d not ready; see above)", len(skipped))}
	}
	if err := confirmWriters(env.engine, p, f.writersStopped, stderr); err != nil {
		return err
	}
	if !f.yes && !confirmText(stderr, fmt.Sprintf("migrate %d resource(s)?", len(p.Items))) {
		return usageError("migrate apply", "not confirmed; pass --yes to apply without a prompt (or --dry-run to see the request)")
	}
	return runMigration(ctx, env, f, stdout, stderr, func(ctx context.Context) (store.RunID, error) {
		return env.engine.StartPrepared(ctx, p, nil)
	})
}

// openMigration opens the state, audit and engine without an HSM, with
// the member accounts' migration role.
func openMigration(ctx context.Context, f rotationFlags, role string, stderr io.Writer) (*rotationEnv, error) {
	f.migrationRole = role
	return openRotation(ctx, f, false, stderr)
}

// applyPlan is the plan apply works from: a fresh one, or the saved one
// with its pre-flight run again now.
func applyPlan(ctx context.Context, env *rotationEnv, f migrateApplyFlags, stderr io.Writer) (migrate.Plan, error) {
	if f.planFile == "" {
		_, source, err := resolveEstateForAWS(*f.rot.estateFile, io.Discard)
		if err != nil {
			return migrate.Plan{}, err
		}
		return makeMigrationPlan(ctx, env.est, source, env.aws, f.sel, stderr)
	}
	raw, err := os.ReadFile(f.planFile)
	if err != nil {
		return migrate.Plan{}, usageError("migrate apply", "--plan: %v", err)
	}
	var plan migrate.Plan
	if err := json.Unmarshal(raw, &plan); err != nil {
		return plan, usageError("migrate apply", "--plan %s: not a byok migrate plan --format json document: %v", f.planFile, err)
	}
	for i := range plan.Items {
		plan.Items[i].Checks, plan.Items[i].NextSwitch = nil, nil
	}
	plan.Items = migrate.Gather(ctx, plan.Items, env.aws.MigrationDeps(env.est.SecurityAccount, f.sel.role), time.Now(), 4)
	return plan, nil
}

// prepareMigration decides the request from the plan's Ready items; the
// others are returned with why they are not applied.
func prepareMigration(e *rotation.Engine, plan migrate.Plan, changeRef string) (rotation.Prepared, []migrate.Item, error) {
	var ms []rotation.Migration
	var skipped []migrate.Item
	for _, it := range plan.Items {
		if !it.Ready() {
			skipped = append(skipped, it)
			continue
		}
		if _, err := rotation.StrategyForMethod(string(it.Method)); err != nil {
			it.Cannot = fmt.Sprintf("method %s: this byok cannot apply it yet (%v)", it.Method, err)
			skipped = append(skipped, it)
			continue
		}
		ms = append(ms, rotation.Migration{ARN: it.ARN, Account: it.Account, Region: it.Region, TargetKey: it.TargetKey, Method: string(it.Method)})
	}
	if len(ms) == 0 {
		return rotation.Prepared{}, skipped, nil
	}
	if changeRef == "" {
		changeRef = "byok migrate apply"
	}
	p, err := e.PrepareMigration(ms, changeRef)
	return p, skipped, err
}

// needsWriters reports whether an item's procedure has the writers-stopped step.
func needsWriters(it rotation.Item) bool {
	for _, s := range it.Steps {
		if s == store.StepWritersStopped {
			return true
		}
	}
	return false
}

// confirmWriters wires the writers-stopped confirmation: the flag, else a
// prompt per resource on a terminal; piped without the flag, a request
// that needs it is refused before anything runs.
func confirmWriters(e *rotation.Engine, p rotation.Prepared, flagGiven bool, stderr io.Writer) error {
	need := false
	for _, it := range p.Items {
		need = need || needsWriters(it)
	}
	e.WritersStopped = writersConfirmer(flagGiven, stderr)
	if need && !flagGiven && !stdinIsTerminal() {
		return usageError("migrate apply", "RDS/Aurora migrations need their writers stopped from the final snapshot to the switch: "+
			"stop them, then pass --writers-stopped (stdin is not a terminal, so byok cannot ask)")
	}
	return nil
}

// writersConfirmer is the engine's WritersStopped: the flag, or a prompt
// on a terminal.
func writersConfirmer(flagGiven bool, stderr io.Writer) func(context.Context, rotation.Subject) (string, error) {
	return func(_ context.Context, s rotation.Subject) (string, error) {
		if flagGiven {
			return "--writers-stopped flag", nil
		}
		if stdinIsTerminal() && confirmText(stderr, fmt.Sprintf("writers of %s stopped? the final snapshot is taken next;", s.ARN)) {
			return "confirmed at the prompt", nil
		}
		return "", fmt.Errorf("%s: %w (resume with --writers-stopped once they are)", s.ARN, rotation.ErrWritersNotConfirmed)
	}
}

// stdinIsTerminal: stdin is a character device other than /dev/null
// (which is one too, and what a detached or test process reads).
func stdinIsTerminal() bool {
	fi, err := os.Stdin.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// runMigration sets the engine up for a migration run, runs start and
// reports the run.
func runMigration(ctx context.Context, env *rotationEnv, f migrateApplyFlags, stdout, stderr io.Writer, start func(context.Context) (store.RunID, error)) error {
	var err error
	if env.engine.Operator, err = awsx.CallerARN(ctx, env.app.AWS.Accounts().For(env.est.SecurityAccount)); err != nil {
		return err
	}
	env.engine.Concurrency = f.maxParallel
	env.engine.MigrationPoll, env.engine.MigrationTimeout = f.poll, f.timeout
	if err := f.s3.check("migrate"); err != nil {
		return err
	}
	f.s3.apply(env.engine, stderr)
	if env.engine.WritersStopped == nil {
		env.engine.WritersStopped = writersConfirmer(f.writersStopped, stderr)
	}
	if isTerminal(stderr) {
		env.engine.Progress = timedProgressPrinter(ctx, stderr, 0)
	}
	id, err := start(ctx)
	return reportMigration(stdout, id, err)
}

// reportMigration is reportRun's wording for migration runs.
func reportMigration(w io.Writer, id store.RunID, err error) error {
	if id != "" {
		fmt.Fprintf(w, "run %s\n", id)
	}
	if err == nil {
		fmt.Fprintln(w, "run succeeded; every resource verified on its target key; audit entries recorded")
		return nil
	}
	var stopped *rotation.StoppedError
	if errors.As(err, &stopped) {
		return &exitError{Code: exitStopped, Err: fmt.Errorf("%w (or: byok migrate resume %s)", err, id)}
	}
	if id != "" && resumable(err) {
		return fmt.Errorf("%w\nresume with: byok migrate resume %s (byok migrate status %s shows where each resource is)", err, id, id)
	}
	return err
}
