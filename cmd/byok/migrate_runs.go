package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "migrate status", Summary: "list migration runs, or show where each resource of one is", Main: migrateStatusCmd})
	register(&command{Name: "migrate resume", Summary: "continue a stopped or crashed migration run from its journal", Main: migrateResumeCmd})
	register(&command{Name: "migrate rollback", Summary: "give migrated RDS/Aurora names back to the originals, switch tables back to their old key, or put buckets back on it", Main: migrateRollbackCmd})
}

// migrationRequest is one resource of a migration request as printed.
type migrationRequest struct {
	Resource  string   `json:"resource"`
	Location  string   `json:"location"`
	Strategy  string   `json:"strategy"`
	TargetKey string   `json:"target_key"`
	Steps     []string `json:"steps"`
}

type notApplied struct {
	Resource string `json:"resource"`
	Why      string `json:"why"`
}

// printMigrationRequest prints the request a run journals (dry run or
// not) and the planned items it leaves out, with why.
func printMigrationRequest(w io.Writer, p rotation.Prepared, skipped []migrate.Item, dry, asJSON bool) error {
	var rq []migrationRequest
	for _, it := range p.Items {
		var steps []string
		for _, s := range it.Steps {
			steps = append(steps, s.String())
		}
		rq = append(rq, migrationRequest{Resource: it.Subject.ARN, Location: it.Subject.Location(), Strategy: it.Strategy.String(),
			TargetKey: it.Subject.TargetKey, Steps: steps})
	}
	var left []notApplied
	for _, it := range skipped {
		left = append(left, notApplied{Resource: it.ARN, Why: whyNotReady(it)})
	}
	if asJSON {
		return writeJSON(w, map[string]any{"dry_run": dry, "request": orEmpty(rq), "not_applied": orEmpty(left)})
	}
	head := "request"
	if dry {
		head = "dry run: the run would request"
	}
	fmt.Fprintf(w, "%s %d resource(s):\n", head, len(rq))
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tACCOUNT/REGION\tSTRATEGY\tTARGET KEY\tSTEPS")
	for _, r := range rq {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Resource, r.Location, r.Strategy, r.TargetKey, strings.Join(r.Steps, " → "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range left {
		fmt.Fprintf(w, "not applied: %s: %s\n", l.Resource, l.Why)
	}
	return nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// whyNotReady is the first reason an item is not applied.
func whyNotReady(it migrate.Item) string {
	if it.Cannot != "" {
		return it.Cannot
	}
	for _, c := range it.Checks {
		if c.Status != migrate.CheckPass {
			return fmt.Sprintf("pre-flight %s %s: %s", c.Name, c.Status, c.Detail)
		}
	}
	return "no method"
}

func migrateResumeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate resume", "RUN [--writers-stopped] [--take-over]", "Continue migration run RUN (or its rollback) from its journal: every step is idempotent given\n"+
		"what AWS says (the snapshot, copy and restored resource have names derived from the run, and the\n"+
		"switch tells the original from the restored resource by its resource ID).")
	var f migrateApplyFlags
	f.rot = addRotationFlags(fs)
	addMigrationRunFlags(fs, &f)
	takeOver := fs.Bool("take-over", false, "take the run over from a process that stopped heartbeating (another host)")
	fs.SetOutput(stderr)
	id, err := runArgs(fs, args)
	if err != nil {
		return err
	}
	f.maxParallel = 4
	env, err := openMigration(ctx, f.rot, f.sel.role, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	env.engine.TakeOver = *takeOver
	return runMigration(ctx, env, f, stdout, stderr, func(ctx context.Context) (store.RunID, error) {
		return id, env.engine.Resume(ctx, id)
	})
}

func migrateRollbackCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate rollback", "RUN [--yes|--dry-run] [--format table|json]", "Undo migration run RUN, as a journaled run of its own (resumable, audited with outcome\n"+
		"rolled-back): RDS and Aurora: the original (stopped, NAME-byok-old-RUN) is started and takes NAME\n"+
		"back, the restored resource is kept as NAME-byok-rb-RUN; DynamoDB: the table switches back to the\n"+
		"key it was on when DynamoDB's daily switch limit allows (otherwise the run stops saying when;\n"+
		"byok migrate resume then continues it); S3: the default encryption the migration recorded is put back\n"+
		"and the current objects on the migration's key are copied back onto the old key (in-process, or above\n"+
		"--batch-threshold by a Batch Operations job over a manifest of only those objects; others left alone,\n"+
		"locked ones skipped and listed, noncurrent versions untouched; checkpointed, resumable).\n"+
		"The plan printed first says, per bucket, what will be copied back; a retired (disabled) old key, a\n"+
		"key the migration role cannot use, or a run that did not record the previous default is refused\n"+
		"before any run exists. RUN is then marked rolled-back.")
	var f migrateApplyFlags
	f.rot = addRotationFlags(fs)
	addMigrationRunFlags(fs, &f)
	dry := fs.Bool("dry-run", false, "show the resources and steps the rollback would run; change nothing")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	format := addFormatFlag(fs, "json")
	fs.SetOutput(stderr)
	id, err := runArgs(fs, args)
	if err != nil {
		return err
	}
	if err := format.check("migrate rollback"); err != nil {
		return err
	}
	if *dry && *yes {
		return usageError("migrate rollback", "--yes and --dry-run exclude each other")
	}
	if *dry {
		f.rot.stateMode = store.ModeRead
	}
	f.maxParallel = 4
	env, err := openMigration(ctx, f.rot, f.sel.role, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	p, err := env.engine.PrepareMigrationRollback(ctx, id)
	var already *rotation.AlreadyRolledBackError
	if errors.As(err, &already) {
		fmt.Fprintln(stdout, already.Error())
		return nil
	}
	if err != nil {
		return err
	}
	if err := f.s3.check("migrate rollback"); err != nil {
		return err
	}
	f.s3.apply(env.engine, stderr) // the plan says whether a bucket goes by Batch Operations
	plans, err := env.engine.PlanS3Rollback(ctx, p)
	if err != nil {
		return err
	}
	if err := printRollbackRequest(stdout, p, plans, *dry, format.is("json")); err != nil || *dry {
		return err
	}
	if !*yes && !confirmText(stderr, fmt.Sprintf("roll back %d resource(s) of run %s?", len(p.Items), id)) {
		return usageError("migrate rollback", "not confirmed; pass --yes to roll back without a prompt")
	}
	return runMigration(ctx, env, f, stdout, stderr, func(ctx context.Context) (store.RunID, error) {
		return env.engine.RollbackPrepared(ctx, p)
	})
}
