package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "resume", Summary: "continue a stopped or crashed rotation run from its journal",
		Main: resumeCmd})
	register(&command{Name: "rollback", Summary: "move the aliases of a new-key run back to the old keys",
		Main: rollbackCmd})
}

func resumeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("resume", "RUN", "Continue run RUN from its journal: never imports twice, finds the HSM object by its\n"+
		"label, reuses a valid import token or fetches new parameters and wraps the same object again.\n"+
		"The HSM is opened only when the run's procedures use it (rotations, imports): a migration,\n"+
		"retirement or rollback run resumes without the HSM's module or PIN.")
	f := addRotationFlags(fs)
	takeOver := fs.Bool("take-over", false, "take the run over from a process that stopped heartbeating (another host); a byok\n"+
		"killed on this host is replaced without it")
	fs.SetOutput(stderr)
	id, err := runArgs(fs, args)
	if err != nil {
		return err
	}
	env, err := openResume(ctx, f, id, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	env.engine.TakeOver = *takeOver
	env.engine.Progress = timedProgressPrinter(ctx, stderr, env.engine.WatchWindow)
	return reportRun(stdout, id, env.engine.Resume(ctx, id))
}

// openResume wires the application for resuming run id and opens the HSM
// only when a procedure of the run can touch it (rotations and imports):
// a migration, retirement or rollback resumes without the HSM's module or
// PIN.
func openResume(ctx context.Context, f rotationFlags, id store.RunID, stderr io.Writer) (*rotationEnv, error) {
	env, err := openRotation(ctx, f, false, stderr)
	if err != nil {
		return nil, err
	}
	need, err := env.engine.RunNeedsHSM(ctx, id)
	if err == nil {
		err = env.app.ResolveOperator(ctx)
	}
	if err == nil && need {
		err = env.openHSM(ctx, f, stderr)
	}
	if err != nil {
		return nil, errors.Join(err, env.Close())
	}
	return env, nil
}

func rollbackCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rollback", "RUN [--dry-run] [--yes] [--format table|json]", "Point each alias of new-key run RUN back at its old key, as a journaled run of its own (resumable,\n"+
		"audited with outcome rolled-back); RUN is then marked rolled-back. The new key stays enabled so data\n"+
		"encrypted under it meanwhile remains readable. A second rollback changes nothing and says so.")
	f := addRotationFlags(fs)
	dry := fs.Bool("dry-run", false, "show the keys and steps the rollback would run; change nothing")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	format := addFormatFlag(fs, "json")
	fs.SetOutput(stderr)
	id, err := runArgs(fs, args)
	if err != nil {
		return err
	}
	if err := format.check("rollback"); err != nil {
		return err
	}
	if *dry {
		f.stateMode = store.ModeRead
	}
	env, err := openRotation(ctx, f, false, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	p, err := env.engine.PrepareRollback(ctx, id)
	var already *rotation.AlreadyRolledBackError
	if errors.As(err, &already) {
		fmt.Fprintln(stdout, already.Error())
		return nil
	}
	if err != nil {
		return err
	}
	if err := printPrepared(stdout, env, p, *dry, format.is("json")); err != nil || *dry {
		return err
	}
	if !*yes && !confirmText(stderr, fmt.Sprintf("roll back %d alias(es) of run %s?", len(p.Items), id)) {
		return errors.New("not confirmed; pass --yes to roll back without a prompt")
	}
	if env.engine.Operator, err = awsx.CallerARN(ctx, env.app.AWS.Accounts().For(env.est.SecurityAccount)); err != nil {
		return err
	}
	env.engine.Progress = timedProgressPrinter(ctx, stderr, env.engine.WatchWindow)
	rb, err := env.engine.RollbackPrepared(ctx, p)
	if errors.As(err, &already) {
		fmt.Fprintln(stdout, already.Error())
		return nil
	}
	if err := reportRun(stdout, rb, err); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "run %s rolled back by run %s: aliases point at the old keys again; audit entries recorded\n", id, rb)
	return nil
}
