package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func init() {
	register(&command{
		Name:    "runs abandon",
		Summary: "end a stopped run that cannot be resumed (its HSM object is lost) and release its key locks",
		Main:    runsAbandon,
	})
}

func runsAbandon(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("runs abandon", "RUN --reason TEXT [--dry-run] [--yes]",
		"End run RUN for good and release its key locks, for a run that cannot be resumed (e.g. its HSM\n"+
			"object is lost). Refused while KMS still holds the run's work: material it imported pending\n"+
			"rotation, or an alias on a key it created that cannot encrypt. Each unfinished key gets an audit\n"+
			"entry (outcome failed, the reason); keys the run created are named, never deleted.")
	fs.SetOutput(stderr)
	f := addRotationFlags(fs)
	reason := fs.String("reason", "", "why the run is abandoned (recorded in the audit log; required)")
	dry := fs.Bool("dry-run", false, "check and show what would be released; change nothing")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	id, err := runArgs(fs, args)
	if err != nil {
		return err
	}
	if *reason == "" {
		return &exitError{Code: 64, Err: rotation.ErrNoReason}
	}
	env, err := openRotation(ctx, f, false, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	if env.engine.Operator, err = awsx.CallerARN(ctx, env.app.AWS.Accounts().For(env.est.SecurityAccount)); err != nil {
		return err
	}
	rep, err := env.engine.Abandon(ctx, id, *reason, true)
	printAbandon(stdout, rep, true)
	if err != nil || *dry {
		return err
	}
	if !*yes && !confirmAbandon(stderr, id) {
		return errors.New("not confirmed; pass --yes to abandon without a prompt")
	}
	if rep, err = env.engine.Abandon(ctx, id, *reason, false); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "run %s abandoned: %d key lock(s) released; audit entries recorded\n", id, len(rep.Unfinished))
	return nil
}

func printAbandon(w io.Writer, rep rotation.AbandonReport, dry bool) {
	verb := "would release"
	if !dry {
		verb = "released"
	}
	fmt.Fprintf(w, "run %s: %s %d unfinished key(s)\n", rep.RunID, verb, len(rep.Unfinished))
	for _, k := range rep.Unfinished {
		fmt.Fprintf(w, "  %s at %s\n", k.KeyARN, k.Step)
		if k.StrayKey != "" {
			fmt.Fprintf(w, "    key %s created by the run is left as it is (no alias targets it; byok never deletes keys)\n", k.StrayKey)
		}
	}
	for _, rq := range rep.NotAdmitted {
		fmt.Fprintf(w, "  %s (%s) was requested and never admitted: nothing was done to it\n", rq.Alias, rq.Region)
	}
}

func confirmAbandon(w io.Writer, id store.RunID) bool {
	if fi, err := os.Stdin.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	fmt.Fprintf(w, "abandon run %s for good? type yes: ", id)
	var answer string
	_, _ = fmt.Fscanln(os.Stdin, &answer)
	return answer == "yes"
}
