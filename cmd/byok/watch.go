package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/byok-dev/byok/internal/store"
	"github.com/byok-dev/byok/internal/watch"
)

func init() {
	register(&command{Name: "watch", Findings: "failed KMS calls on the watched keys", Summary: "failed KMS calls on a key in CloudTrail, grouped by account, principal and event",
		Main: watchCmd})
}

func watchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("watch", "(--key ALIAS | --run RUN) [--since T] [--for D] [--format table|json]",
		"Read CloudTrail (LookupEvents) in the Security account and the key's consumer account for KMS\n"+
			"calls on the key that failed (AccessDenied, IncorrectKey, KMSInvalidState, Disabled, …); with the\n"+
			"estate's watch.source: eventbridge, read the log group the deploy/ rule fills instead (checked first).\n"+
			"With --run, the run's own calls (its operator's request IDs it journaled) are left out.\n"+
			"Exit status 2 when any were found.")
	f := addRotationFlags(fs)
	sel := keySelection{env: new(string), service: new(string), key: fs.String("key", "", "alias (e.g. alias/prod/rds)")}
	runFlag := fs.String("run", "", "every key of a rotation run, since the run began")
	since := fs.Duration("since", time.Hour, "how far back to look (ignored with --run)")
	dur := fs.Duration("for", 0, "keep watching this long, re-reading every 30s")
	format := addFormatFlag(fs, "json")
	asJSON := fs.Bool("json", false, "same as --format json (kept for scripts written before --format)")
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := format.check("watch"); err != nil {
		return err
	}
	if *asJSON {
		*format.value = "json"
	}
	f.stateMode = store.ModeReadIfExists
	if *runFlag != "" { // a run is looked up in the state: a wrong --state must not read as empty
		f.stateMode = store.ModeRead
	}
	env, err := openRotation(ctx, f, false, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	targets, from, err := watchTargets(ctx, env, sel, *runFlag, time.Now().Add(-*since))
	if err != nil {
		return err
	}
	own := watchOwnCalls(ctx, env, *runFlag, stderr)
	stop := func() {}
	if *dur > 0 {
		stop = reportWait(ctx, stderr, "byok watch: reading CloudTrail every 30s", *dur)
	}
	found, err := watchLoop(ctx, env, targets, from, *dur, own)
	stop()
	if err != nil {
		return err
	}
	if err := printFailures(stdout, found, format.is("json")); err != nil {
		return err
	}
	if len(found) > 0 {
		return &exitError{Code: exitFindings, Err: fmt.Errorf("%d group(s) of failed KMS calls on the key(s)", len(found))}
	}
	return nil
}

type watchTarget struct{ arn, region, consumer string }

func watchTargets(ctx context.Context, env *rotationEnv, sel keySelection, run string, from time.Time) ([]watchTarget, time.Time, error) {
	if run != "" {
		id, err := store.ParseRunID(run)
		if err != nil {
			return nil, from, err
		}
		r, err := env.store.GetRun(ctx, id)
		if err != nil {
			return nil, from, err
		}
		rks, err := env.store.ListRunKeys(ctx, id)
		if err != nil {
			return nil, from, err
		}
		var out []watchTarget
		for _, rk := range rks {
			k, err := env.engine.EstateKey(ctx, rk)
			if err != nil {
				return nil, from, err
			}
			out = append(out, watchTarget{rk.KeyARN, k.Region, k.Consumer})
		}
		return out, r.Created, nil
	}
	if *sel.key == "" {
		return nil, from, fmt.Errorf("give --key or --run")
	}
	keys, err := sel.pick(env.est)
	if err != nil {
		return nil, from, err
	}
	var out []watchTarget
	for _, k := range keys {
		arn, err := env.engine.KeyARN(ctx, k)
		if err != nil {
			return nil, from, err
		}
		out = append(out, watchTarget{arn, k.Region, k.Consumer})
	}
	return out, from, nil
}

// watchOwnCalls is what a watch of a run leaves out: the run's own calls
// (its operator's journaled request IDs: retries after a lost answer, a
// resumed rotation's conflict), as the run's watch step does. Without a
// run, or when the state holds no journal of them, nothing is left out.
func watchOwnCalls(ctx context.Context, env *rotationEnv, run string, stderr io.Writer) watch.Own {
	if run == "" {
		return watch.Own{}
	}
	id, err := store.ParseRunID(run)
	if err != nil {
		return watch.Own{}
	}
	r, err := env.store.GetRun(ctx, id)
	if err != nil {
		return watch.Own{}
	}
	own, err := env.engine.OwnCalls(ctx, r)
	if err != nil {
		fmt.Fprintf(stderr, "byok watch: the run's own calls are not journaled in this state file (%v); byok's own retries, if any, are listed too\n", err)
		return watch.Own{}
	}
	return own
}

// watchPlaces are the accounts and Regions a watch of ts reads.
func watchPlaces(env *rotationEnv, ts []watchTarget) [][2]string {
	var out [][2]string
	for _, t := range ts {
		for _, acct := range []string{env.est.SecurityAccount, t.consumer} {
			if acct != "" {
				out = append(out, [2]string{acct, t.region})
			}
		}
	}
	return out
}

func watchLoop(ctx context.Context, env *rotationEnv, ts []watchTarget, from time.Time, d time.Duration, own watch.Own) ([]watch.Failure, error) {
	// A log group that is not there holds no failures: refuse rather
	// than report none.
	if _, err := env.engine.CheckWatchAt(ctx, watchPlaces(env, ts)); err != nil {
		return nil, err
	}
	end := time.Now().Add(d)
	for {
		var all []watch.Failure
		for _, t := range ts {
			for _, acct := range []string{env.est.SecurityAccount, t.consumer} {
				src, err := env.engine.WatchSource(acct, t.region)
				if err != nil {
					return nil, err
				}
				f, err := watch.SourceFailures(ctx, src, acct, t.arn, from, time.Now().Add(time.Minute), own)
				if err != nil {
					return nil, err
				}
				all = append(all, f...)
			}
		}
		if d <= 0 || time.Now().After(end) {
			return all, nil
		}
		select {
		case <-ctx.Done():
			return all, nil
		case <-time.After(30 * time.Second):
		}
	}
}

func printFailures(w io.Writer, fs []watch.Failure, asJSON bool) error {
	if asJSON {
		return writeJSON(w, fs)
	}
	if len(fs) == 0 {
		_, err := fmt.Fprintln(w, "no failed KMS calls on the key(s)")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tPRINCIPAL\tEVENT\tERROR\tCOUNT\tLAST")
	for _, f := range fs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", f.Account, f.Principal, f.Event, f.ErrorCode, f.Count, f.Last.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}
