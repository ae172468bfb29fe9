package main

import (
	"context"
	"fmt"
	"io"

	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "resume", Summary: "continue a stopped or crashed rotation run from its journal",
		Main: resumeCmd})
	register(&command{Name: "rollback", Summary: "move the aliases of a new-key run back to the old keys",
		Main: rollbackCmd})
}

func runArg(args []string) (store.RunID, []string, error) {
	if len(args) == 0 || args[0] == "" || args[0][0] == '-' {
		return "", args, fmt.Errorf("give the run ID first (byok runs list)")
	}
	id, err := store.ParseRunID(args[0])
	return id, args[1:], err
}

func resumeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("resume", "RUN", "Continue run RUN from its journal: never imports twice, finds the HSM object by its\n"+
		"label, reuses a valid import token or fetches new parameters and wraps the same object again.")
	f := addRotationFlags(fs)
	id, rest, err := runArg(args)
	if err != nil {
		fs.Usage()
		return err
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	env, err := openRotation(ctx, f, true, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	env.engine.Progress = progressPrinter(stderr)
	return reportRun(stdout, id, env.engine.Resume(ctx, id))
}

func rollbackCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rollback", "RUN", "Point each alias of new-key run RUN back at its old key. The new key stays enabled so data\n"+
		"encrypted under it meanwhile remains readable.")
	f := addRotationFlags(fs)
	id, rest, err := runArg(args)
	if err != nil {
		fs.Usage()
		return err
	}
	if err := fs.Parse(rest); err != nil {
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
