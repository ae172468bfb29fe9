package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{Name: "resume", Summary: "continue a stopped or crashed rotation run from its journal",
		Main: resumeCmd})
	register(&command{Name: "rollback", Summary: "move the aliases of a new-key run back to the old keys",
		Main: rollbackCmd})
}

// runArg parses fs from args (flags on either side of RUN) and returns RUN.
func runArg(fs *flag.FlagSet, args []string) (store.RunID, error) {
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return "", usageError(strings.TrimPrefix(fs.Name(), "byok "), "expected one RUN (see byok runs list), got %d arguments", fs.NArg())
	}
	id, err := store.ParseRunID(fs.Arg(0))
	if err != nil {
		return "", &exitError{Code: exitUsage, Err: err}
	}
	return id, nil
}

func resumeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("resume", "RUN", "Continue run RUN from its journal: never imports twice, finds the HSM object by its\n"+
		"label, reuses a valid import token or fetches new parameters and wraps the same object again.")
	f := addRotationFlags(fs)
	takeOver := fs.Bool("take-over", false, "take the run over from a process that stopped heartbeating (another host); a byok\n"+
		"killed on this host is replaced without it")
	fs.SetOutput(stderr)
	id, err := runArg(fs, args)
	if err != nil {
		return err
	}
	env, err := openRotation(ctx, f, true, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	env.engine.TakeOver = *takeOver
	env.engine.Progress = timedProgressPrinter(ctx, stderr, env.engine.WatchWindow)
	return reportRun(stdout, id, env.engine.Resume(ctx, id))
}

func rollbackCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rollback", "RUN", "Point each alias of new-key run RUN back at its old key. The new key stays enabled so data\n"+
		"encrypted under it meanwhile remains readable.")
	f := addRotationFlags(fs)
	fs.SetOutput(stderr)
	id, err := runArg(fs, args)
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
