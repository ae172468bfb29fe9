package rotation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

// Default holder timings: a live process heartbeats every
// defaultHeartbeat; a holder silent for defaultStaleAfter may be taken over
// (byok resume --take-over) when its process cannot be checked (another
// host). On the same host a holder whose process is gone is replaced at
// once (a killed byok's run resumes without waiting).
const (
	defaultHeartbeat  = 10 * time.Second
	defaultStaleAfter = 2 * time.Minute
)

// me is this process as a run holder.
func me() store.Holder {
	host, _ := os.Hostname()
	return store.Holder{PID: os.Getpid(), Host: host}
}

// processAlive reports whether the holder's process may still run: on
// another host byok cannot tell (true); on this one, signal 0 tells.
func processAlive(h store.Holder) bool {
	if h.Host != me().Host {
		return true
	}
	err := syscall.Kill(h.PID, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ErrLockLost: this process no longer holds what it was working under
// (the run's holder record, or a shared key lock) because another process
// took it over or an operator force-released it. The work stops at once;
// the new holder carries on.
var ErrLockLost = errors.New("lock lost to another holder")

// hold makes this process the run's only holder and heartbeats until the
// returned release is called. A second process on the run gets
// *store.HeldError naming the holder. The returned context ends (cause
// ErrLockLost) when a heartbeat finds the run or a shared lock taken over:
// the caller works under it, so it stops instead of racing the new holder.
func (e *Engine) hold(ctx context.Context, id store.RunID) (work context.Context, release func(), err error) {
	stale := e.StaleAfter
	if stale <= 0 {
		stale = defaultStaleAfter
	}
	if err := e.Store.ClaimRun(ctx, id, me(), stale, e.TakeOver, processAlive); err != nil {
		return ctx, nil, err
	}
	work, lost := context.WithCancelCause(ctx)
	every := e.HeartbeatEvery
	if every <= 0 {
		every = defaultHeartbeat
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				e.heartbeat(context.WithoutCancel(ctx), id, lost)
			}
		}
	}()
	return work, func() {
		close(done)
		<-stopped
		lost(nil)
		e.sharedEnd(context.WithoutCancel(ctx), id)
		_ = e.Store.ReleaseRun(context.WithoutCancel(ctx), id, me())
	}, nil
}

// heartbeat refreshes the run's holder record and shared locks; when
// either was taken over it ends the work (lost) with ErrLockLost.
func (e *Engine) heartbeat(ctx context.Context, id store.RunID, lost context.CancelCauseFunc) {
	err := e.Store.Heartbeat(ctx, id, me())
	var held *store.HeldError
	if errors.As(err, &held) {
		err = fmt.Errorf("run %s: %w: %w", id, ErrLockLost, err)
	}
	if serr := e.sharedHeartbeat(ctx, id); serr != nil {
		err = errors.Join(err, serr)
	}
	if err == nil {
		return
	}
	e.logger().ErrorContext(ctx, "run heartbeat failed", logRun, id.String(), "error", err.Error())
	if errors.Is(err, ErrLockLost) {
		lost(err)
	}
}
