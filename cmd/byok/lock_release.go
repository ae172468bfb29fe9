package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sharedstate"
	"github.com/byok-dev/byok/internal/store"
)

func lockRelease(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("lock release", "--force --reason TEXT (KEY | --run RUN) [--dry-run] [--stale-after D]",
		"Free key locks whose holder is gone (killed, its machine lost): KEY (key ARN or alias) or every\n"+
			"lock of run RUN, in the local state file and the shared state location. A holder that still\n"+
			"heartbeats is refused and named. Each released lock gets an audit entry (outcome\n"+
			"lock-released, the reason and the holder). Releasing a free key is a no-op. The run itself is\n"+
			"left as it is: byok resume takes its locks back, byok runs abandon ends it.")
	fs.SetOutput(stderr)
	f := addRotationFlags(fs)
	staleAfter := addStaleFlag(fs)
	force := fs.Bool("force", false, "required: this releases a lock another process took")
	reason := fs.String("reason", "", "why the lock is released (recorded in the audit log; required)")
	runFlag := fs.String("run", "", "release every lock of this run instead of one KEY")
	dry := fs.Bool("dry-run", false, "show what would be released; change nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !*force || strings.TrimSpace(*reason) == "" {
		return usageError("lock release", "--force and --reason TEXT are required")
	}
	if (fs.NArg() == 1) == (*runFlag != "") || fs.NArg() > 1 {
		return usageError("lock release", "%v", errLockArgs)
	}
	f.stateMode, f.staleAfter = store.ModeCreate, *staleAfter
	if *dry {
		f.stateMode = store.ModeReadIfExists
	}
	env, err := openRotation(ctx, f, false, stderr)
	if err != nil {
		return err
	}
	defer env.Close()
	rows, err := releaseTargets(ctx, env, fs.Arg(0), *runFlag, *staleAfter)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(stdout, "nothing to release: no lock held (already released?)")
		return nil
	}
	if live := liveRows(rows); len(live) > 0 {
		return liveError(live, *staleAfter)
	}
	if *dry {
		for _, r := range rows {
			fmt.Fprintf(stdout, "would release %s lock of %s held by run %s (%s)\n", r.Scope, r.Key, r.Run, holderText(r))
		}
		return nil
	}
	operator, err := awsx.CallerARN(ctx, env.app.AWS.Accounts().For(env.est.SecurityAccount))
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := releaseRow(ctx, env, r, *staleAfter, operator, *reason); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "released %s lock of %s held by run %s (%s); audited\n", r.Scope, r.Key, r.Run, holderText(r))
	}
	return nil
}

// releaseTargets are the held locks of key (ARN or alias) or of run.
func releaseTargets(ctx context.Context, env *rotationEnv, key, run string, staleAfter time.Duration) ([]lockRow, error) {
	if run != "" {
		if _, err := store.ParseRunID(run); err != nil {
			return nil, &exitError{Code: exitUsage, Err: err}
		}
	} else {
		arn, err := resolveLockKey(ctx, env, key)
		if err != nil {
			return nil, err
		}
		key = arn
	}
	all, err := collectLocks(ctx, &stateView{store: env.store, shared: env.app.Shared}, staleAfter, time.Now())
	if err != nil {
		return nil, err
	}
	var out []lockRow
	for _, r := range all {
		if (run != "" && r.Run == run) || (run == "" && r.Key == key) {
			out = append(out, r)
		}
	}
	return out, nil
}

// resolveLockKey takes a key ARN as is and resolves an estate alias.
func resolveLockKey(ctx context.Context, env *rotationEnv, key string) (string, error) {
	if strings.HasPrefix(key, "arn:") {
		return key, nil
	}
	for _, k := range env.est.Keys() {
		if k.Alias == key {
			return env.engine.KeyARN(ctx, k)
		}
	}
	return "", &exitError{Code: exitUsage, Err: fmt.Errorf("%q is neither a key ARN nor an alias of the estate (see byok lock status)", key)}
}

func liveRows(rows []lockRow) []lockRow {
	var live []lockRow
	for _, r := range rows {
		if !r.Stale {
			live = append(live, r)
		}
	}
	return live
}

// errLiveHolder: lock release --force refused a holder that heartbeats.
var errLiveHolder = errors.New("lock holder is alive")

func liveError(live []lockRow, staleAfter time.Duration) error {
	var b strings.Builder
	for _, r := range live {
		fmt.Fprintf(&b, "%s is held by run %s (%s), which heartbeat %s ago (less than --stale-after %s): it is alive; "+
			"wait for it to finish or stop that process first\n", r.Key, r.Run, holderText(r), r.HeartbeatAge, staleAfter)
	}
	return fmt.Errorf("%s%w: nothing released", b.String(), errLiveHolder)
}

func holderText(r lockRow) string {
	if r.Host == "" {
		return "no process holds it"
	}
	s := fmt.Sprintf("process %d on %s", r.PID, r.Host)
	if r.Holder != "" {
		s = r.Holder + ", " + s
	}
	return s
}

// releaseRow frees one lock (shared, then local) and audits it.
func releaseRow(ctx context.Context, env *rotationEnv, r lockRow, staleAfter time.Duration, operator, reason string) error {
	if r.shared != nil {
		gone := func(l sharedstate.Lock) bool { return !rotation.ProcessAlive(l.Host, l.PID) }
		if _, err := env.app.Shared.ForceRelease(ctx, r.Key, staleAfter, gone); err != nil && !errors.Is(err, sharedstate.ErrNotFound) {
			return err
		}
	}
	if strings.Contains(r.Scope, "local") {
		if _, err := env.store.ForceReleaseKeyLock(ctx, r.Key); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return auditRelease(ctx, env, r, operator, reason)
}

// auditRelease records the release locally and in the shared chain.
func auditRelease(ctx context.Context, env *rotationEnv, r lockRow, operator, reason string) error {
	detail, err := json.Marshal(map[string]any{"action": "lock release --force", "reason": reason, "scope": r.Scope,
		"holder": r.Holder, "host": r.Host, "pid": r.PID, "heartbeat_age": r.HeartbeatAge, "stale": r.StaleReason,
		"released_from": hostName()})
	if err != nil {
		return err
	}
	e, err := env.app.Audit.Append(ctx, audit.Entry{Operator: operator, RunID: r.Run, KeyARN: r.Key, Strategy: "lock-release",
		Verification: detail, Outcome: audit.OutcomeLockReleased})
	if err != nil {
		return fmt.Errorf("audit lock release: %w", err)
	}
	if env.app.Shared != nil {
		doc, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if _, err := env.app.Shared.AppendAudit(ctx, doc); err != nil {
			return fmt.Errorf("shared audit entry: %w", err)
		}
	}
	return nil
}
