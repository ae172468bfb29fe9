//go:build linux

package delay

import (
	"context"
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// timerFD is a timerfd wrapped for the poller. fd is kept apart: calling
// os.File.Fd would switch the descriptor to blocking mode, and deadlines
// (cancellation) would stop working.
type timerFD struct {
	f  *os.File
	fd int
}

// pool keeps idle timerfds (disarmed, expiration count read) so that a
// wait costs two syscalls (settime, read) rather than six.
var pool = make(chan timerFD, 256)

// sleepPrecise waits on a one-shot timerfd read through the runtime's
// poller; precise is false when no timerfd could be made.
func sleepPrecise(ctx context.Context, d time.Duration) (ok, precise bool) {
	t, err := timer()
	if err != nil {
		return false, false
	}
	f := t.f
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(d.Nanoseconds())}
	if err := unix.TimerfdSettime(t.fd, 0, &spec, nil); err != nil {
		_ = f.Close()
		return false, false
	}
	cancelled := false
	stop := context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Unix(1, 0)) })
	var n [8]byte
	_, err = f.Read(n[:])
	if !stop() {
		cancelled = true // the deadline was (or is being) set: do not reuse
	}
	if err != nil || cancelled {
		_ = f.Close() // closing disarms it
		return err == nil && ctx.Err() == nil, true
	}
	put(t)
	return true, true
}

func timer() (timerFD, error) {
	select {
	case t := <-pool:
		return t, nil
	default:
	}
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return timerFD{}, err
	}
	// A non-blocking descriptor: os.NewFile registers it with the poller,
	// so the read parks the goroutine, not the thread.
	f := os.NewFile(uintptr(fd), "timerfd")
	if f == nil {
		return timerFD{}, errors.New("timerfd: invalid descriptor")
	}
	return timerFD{f: f, fd: fd}, nil
}

func put(t timerFD) {
	select {
	case pool <- t:
	default:
		_ = t.f.Close()
	}
}
