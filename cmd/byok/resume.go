package main

import (
	"context"
	"fmt"
	"io"
)

func init() {
	register(&command{Name: "resume", Summary: "continue a stopped or crashed rotation run from its journal",
		Main: resumeCmd})
	register(&command{Name: "rollback", Summary: "move the aliases of a new-key run back to the old keys",
		Main: rollbackCmd})
}

func resumeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("resume", "RUN", "Continue run RUN from its journal: never imports twice, finds the HSM object by its\n"+
		"label, reuses a valid import token or fetches new parameters and wraps the same object again.")
	f := addRotationFlags(fs)
	takeOver := fs.Bool("take-over", false, "take the run over from a process that stopped heartbeating (another host); a byok\n"+
		"killed on this host is replaced without it")
	id, err := runAndFlags(fs, args)
	if err != nil {
		return err
	}
	env, err := openRotation(ctx, f, true, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	env.engine.TakeOver = *takeOver
	env.engine.Progress = progressPrinter(stderr)
	return reportRun(stdout, id, env.engine.Resume(ctx, id))
}

func rollbackCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rollback", "RUN", "Point each alias of new-key run RUN back at its old key. The new key stays enabled so data\n"+
		"encrypted under it meanwhile remains readable.")
	f := addRotationFlags(fs)
	id, err := runAndFlags(fs, args)
	if err != nil {
		return err
	}
	env, err := openRotation(ctx, f, false, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	if err := env.engine.Rollback(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "run %s rolled back: aliases point at the old keys again\n", id)
	return nil
}
