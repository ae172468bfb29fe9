package rotation

import (
	"context"
	"errors"
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

// hold makes this process the run's only holder and heartbeats until the
// returned release is called. A second process on the run gets
// *store.HeldError naming the holder.
func (e *Engine) hold(ctx context.Context, id store.RunID) (release func(), err error) {
	stale := e.StaleAfter
	if stale <= 0 {
		stale = defaultStaleAfter
	}
	if err := e.Store.ClaimRun(ctx, id, me(), stale, e.TakeOver, processAlive); err != nil {
		return nil, err
	}
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
				if err := e.Store.Heartbeat(context.WithoutCancel(ctx), id, me()); err != nil {
					e.logger().ErrorContext(ctx, "run heartbeat failed", logRun, id.String(), "error", err.Error())
				}
				e.sharedHeartbeat(context.WithoutCancel(ctx), id)
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		e.sharedEnd(context.WithoutCancel(ctx), id)
		_ = e.Store.ReleaseRun(context.WithoutCancel(ctx), id, me())
	}, nil
}
