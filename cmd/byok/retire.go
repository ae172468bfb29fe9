package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "retire", Summary: "disable an old key nothing uses any more (--undo re-enables it; --schedule-deletion later)",
		Findings: "what still uses the key (resources, object versions, recent calls, aliases), or it was not disabled long enough",
		Main:     retireCmd})
}

const retireDoc = "Retire an old key that a new-key rotation left behind: DisableKey (reversible with --undo), as a\n" +
	"journaled, audited run (resumable with byok resume). Refused, listing who and what, while a scan of the\n" +
	"estate finds a resource on the key, a bucket holds object versions (noncurrent too) encrypted under it,\n" +
	"CloudTrail in the Security or a consumer account shows Encrypt/Decrypt/GenerateDataKey*/ReEncrypt* on it\n" +
	"within --quiet-for, an alias points at it, or it is an environment's estate key. DB snapshots and DB\n" +
	"cluster snapshots on the key (a migration's final snapshot) do not stop a retire but are listed as\n" +
	"warnings: unrestorable while the key is disabled.\n" +
	"--schedule-deletion, once the key has been disabled for --disabled-for and no DB snapshot remains on it\n" +
	"(copy each to the new key or delete it; byok deletes no data), runs ScheduleKeyDeletion with\n" +
	"--pending-window-days (default 30, the longest; at least 7). byok never deletes the HSM object.\n" +
	"A key already in the state asked for is reported and exits 0."

type retireFlags struct {
	rot                   rotationFlags
	key                   *string
	quiet, disabled       *string
	pendingDays           *int
	undo, schedule        *bool
	dry, yes              *bool
	changeRef             *string
	format                *outputFormat
	quietFor, disabledFor time.Duration
}

func parseRetireFlags(args []string, stderr io.Writer) (retireFlags, error) {
	fs := newFlagSet("retire", "--key KEY [--quiet-for 30d] [--undo | --schedule-deletion [--disabled-for 30d]] [--dry-run] [--yes]", retireDoc)
	f := retireFlags{rot: addRotationFlags(fs),
		key:         fs.String("key", "", "the old key: key ID, key ARN, alias name or alias ARN in the Security account (required)"),
		quiet:       fs.String("quiet-for", "30d", "CloudTrail must show no use of the key for this long (at most 90d, what LookupEvents holds)"),
		disabled:    fs.String("disabled-for", "30d", "with --schedule-deletion: the key must have been disabled for this long (0 allowed)"),
		pendingDays: fs.Int("pending-window-days", rotation.MaxPendingDays, "with --schedule-deletion: KMS's waiting period before deletion (7-30 days)"),
		undo:        fs.Bool("undo", false, "re-enable a retired key (EnableKey), audited"),
		schedule:    fs.Bool("schedule-deletion", false, "schedule the deletion of a key retired long enough (ScheduleKeyDeletion)"),
		dry:         fs.Bool("dry-run", false, "show the decision and the steps; change nothing"),
		yes:         fs.Bool("yes", false, "do not ask for confirmation"),
		changeRef:   fs.String("change-ref", "", "change reference recorded with the run and the audit entry"),
		format:      addFormatFlag(fs, "json"),
	}
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := noArgs(fs); err != nil {
		return f, err
	}
	return f, f.check()
}

func (f *retireFlags) check() error {
	if err := f.format.check("retire"); err != nil {
		return err
	}
	switch {
	case *f.key == "":
		return usageError("retire", "--key is required: the old key's ID, ARN or alias")
	case *f.undo && *f.schedule:
		return usageError("retire", "--undo and --schedule-deletion exclude each other")
	}
	var err error
	if f.quietFor, err = estate.ParseDuration(*f.quiet); err != nil {
		return usageError("retire", "--quiet-for: %v (e.g. 30d)", err)
	}
	if *f.disabled != "0" && *f.disabled != "0s" {
		if f.disabledFor, err = estate.ParseDuration(*f.disabled); err != nil {
			return usageError("retire", "--disabled-for: %v (e.g. 30d, or 0)", err)
		}
	}
	if *f.pendingDays < rotation.MinPendingDays || *f.pendingDays > rotation.MaxPendingDays {
		return usageError("retire", "--pending-window-days %d: KMS allows %d to %d days", *f.pendingDays, rotation.MinPendingDays, rotation.MaxPendingDays)
	}
	return nil
}

func (f retireFlags) request() rotation.RetireRequest {
	s := rotation.Retire
	switch {
	case *f.undo:
		s = rotation.RetireUndo
	case *f.schedule:
		s = rotation.ScheduleDeletion
	}
	return rotation.RetireRequest{Key: *f.key, Strategy: s, ChangeRef: *f.changeRef,
		Options: rotation.RetireOptions{QuietFor: f.quietFor, DisabledFor: f.disabledFor, PendingDays: int32(*f.pendingDays)}}
}

func retireCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseRetireFlags(args, stderr)
	if err != nil {
		return err
	}
	f.rot.stateMode = map[bool]store.Mode{false: store.ModeCreate, true: store.ModeReadIfExists}[*f.dry]
	env, err := openRotation(ctx, f.rot, false, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	return runRetire(ctx, env, f, stdout, stderr)
}

// runRetire decides, shows, confirms and runs one retire request.
func runRetire(ctx context.Context, env *rotationEnv, f retireFlags, stdout, stderr io.Writer) error {
	rp, err := env.engine.PrepareRetire(ctx, f.request())
	var already *rotation.AlreadyError
	if errors.As(err, &already) {
		if f.format.is("json") {
			return writeJSON(stdout, map[string]any{"key_arn": already.KeyARN, "allowed": false, "nothing_to_do": already.Error()})
		}
		fmt.Fprintln(stdout, already.Error())
		return nil
	}
	if errors.Is(err, rotation.ErrNotRetired) {
		return &exitError{Code: exitFindings, Err: err}
	}
	if err != nil {
		return err
	}
	if err := printRetirePlan(stdout, rp, *f.dry, f.format.is("json")); err != nil {
		return err
	}
	if rp.Blocked != nil {
		return &exitError{Code: exitFindings, Err: fmt.Errorf("%s: %w", rp.KeyARN, retireBlockedCause(rp.Blocked))}
	}
	if *f.dry {
		return nil
	}
	if !*f.yes && !confirmText(stderr, fmt.Sprintf("%s %s?", rp.Prepared.Items[0].Strategy, rp.KeyARN)) {
		return errors.New("not confirmed; pass --yes to run without a prompt")
	}
	if env.engine.Operator, err = awsx.CallerARN(ctx, env.app.AWS.Accounts().For(env.est.SecurityAccount)); err != nil {
		return err
	}
	env.engine.Progress = timedProgressPrinter(ctx, stderr, 0)
	id, err := env.engine.RetirePrepared(ctx, rp)
	return reportRetire(stdout, id, rp, err)
}

// retireBlockedCause is the sentinel a refusal wraps (the list is printed).
func retireBlockedCause(err error) error {
	if errors.Is(err, rotation.ErrNotRetired) {
		return err
	}
	return rotation.ErrRetireBlocked
}

func reportRetire(w io.Writer, id store.RunID, rp rotation.RetirePlan, err error) error {
	if err != nil {
		if errors.Is(err, rotation.ErrRetireBlocked) || errors.Is(err, rotation.ErrNotRetired) {
			fmt.Fprintf(w, "run %s\n", id)
			return &exitError{Code: exitFindings, Err: fmt.Errorf("%w\nresume with: byok resume %s once it is cleared, or: byok runs abandon %s --reason …", err, id, id)}
		}
		return reportRun(w, id, err)
	}
	fmt.Fprintf(w, "run %s\n", id)
	switch rp.Prepared.Items[0].Strategy {
	case rotation.RetireUndo:
		fmt.Fprintf(w, "%s re-enabled; audit entry recorded\n", rp.KeyARN)
	case rotation.ScheduleDeletion:
		fmt.Fprintf(w, "%s scheduled for deletion in %d days (cancel before then: aws kms cancel-key-deletion --key-id %s); audit entry recorded\n%s\n",
			rp.KeyARN, rp.Prepared.Selector.Retire.PendingDays, rp.KeyARN, rotation.HSMNote)
	default:
		fmt.Fprintf(w, "%s disabled (retired); undo with: byok retire --key %s --undo; audit entry recorded\n%s\n", rp.KeyARN, rp.KeyARN, rotation.HSMNote)
		if n := len(rp.Decision.Warnings); n > 0 {
			fmt.Fprintf(w, "warning: %d item(s) listed above (DB snapshots on the key) are unrestorable while the key is disabled (recorded in the audit entry)\n", n)
		}
	}
	return nil
}
