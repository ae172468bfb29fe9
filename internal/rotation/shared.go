package rotation

import (
	"context"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// SharedState is the state location several operators share (package
// sharedstate, s3://bucket/prefix); nil when the state is local only. The
// local state file stays the working journal: the engine takes a key's
// shared lock before the local one, writes the run's journal object after
// each step boundary, and releases the shared lock when the key is done or
// the run has ended. A run that stops (Ctrl-C, a kill) keeps its shared
// locks, which go stale when the heartbeat stops.
type SharedState interface {
	// AcquireKey takes the key's shared lock for run; an error naming the
	// holder when another run holds it.
	AcquireKey(ctx context.Context, keyARN string, run store.RunID) error
	// ReleaseKey frees the key's shared lock if this process holds it.
	ReleaseKey(ctx context.Context, keyARN string, run store.RunID) error
	// Heartbeat refreshes every shared lock this process holds for run;
	// a lock released or taken since is an error wrapping ErrLockLost.
	Heartbeat(ctx context.Context, run store.RunID) error
	// ReleaseRun frees every shared lock this process holds for run.
	ReleaseRun(ctx context.Context, run store.RunID) error
	// Step records a step boundary in the run's journal object.
	Step(ctx context.Context, ev Progress)
}

// sharedAcquire takes the key's shared lock (no-op without shared state).
func (e *Engine) sharedAcquire(ctx context.Context, keyARN string, run store.RunID) error {
	if e.Shared == nil {
		return nil
	}
	return e.Shared.AcquireKey(ctx, keyARN, run)
}

// sharedRelease frees the key's shared lock; a failure is logged (the lock
// then goes stale and byok lock release --force frees it).
func (e *Engine) sharedRelease(ctx context.Context, keyARN string, run store.RunID) {
	if e.Shared == nil {
		return
	}
	if err := e.Shared.ReleaseKey(context.WithoutCancel(ctx), keyARN, run); err != nil {
		e.logger().ErrorContext(ctx, "shared lock release failed", logRun, run.String(), logKey, keyARN, "error", err.Error())
	}
}

// sharedHeartbeat refreshes the run's shared locks; an error wrapping
// ErrLockLost means one was taken over.
func (e *Engine) sharedHeartbeat(ctx context.Context, run store.RunID) error {
	if e.Shared == nil {
		return nil
	}
	if err := e.Shared.Heartbeat(ctx, run); err != nil {
		return fmt.Errorf("shared lock heartbeat: %w", err)
	}
	return nil
}

// sharedEnd frees the run's shared locks once the run has ended; a run
// that stopped keeps them (resume takes them back).
func (e *Engine) sharedEnd(ctx context.Context, run store.RunID) {
	if e.Shared == nil {
		return
	}
	r, err := e.Store.GetRun(ctx, run)
	if err != nil || !r.Status.Finished() {
		return
	}
	if err := e.Shared.ReleaseRun(ctx, run); err != nil {
		e.logger().ErrorContext(ctx, "shared lock release failed", logRun, run.String(), "error", err.Error())
	}
}

// ProcessAlive reports whether process pid on host may still run: on
// another host byok cannot tell (true); on this one, signal 0 tells.
func ProcessAlive(host string, pid int) bool {
	return processAlive(store.Holder{Host: host, PID: pid})
}
