//go:build linux

package delay

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
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

// maxOpen bounds the timerfds open at once (waiting or pooled), so that
// thousands of delayed calls do not take the descriptors the server
// needs to accept connections; the waits beyond it use a time.Timer.
const maxOpen = 512

var open atomic.Int32

// sleepPrecise waits on a one-shot timerfd read through the runtime's
// poller; precise is false when no timerfd could be had.
func sleepPrecise(ctx context.Context, d time.Duration) (ok, precise bool) {
	start := time.Now()
	t, err := timer()
	if err != nil {
		return false, false
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(d.Nanoseconds())}
	if err := unix.TimerfdSettime(t.fd, 0, &spec, nil); err != nil {
		t.close()
		return false, false
	}
	stop := context.AfterFunc(ctx, func() { _ = t.f.SetReadDeadline(time.Unix(1, 0)) })
	var n [8]byte
	_, err = t.f.Read(n[:])
	if !stop() { // cancelled: the deadline was (or is being) set, do not reuse
		t.close() // closing disarms it
		return err == nil && ctx.Err() == nil, true
	}
	if err != nil { // not a cancellation: wait the rest another way
		t.close()
		return sleepTimer(ctx, d-time.Since(start)), true
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
	if open.Add(1) > maxOpen {
		open.Add(-1)
		return timerFD{}, errTooMany
	}
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		open.Add(-1)
		return timerFD{}, err
	}
	// A non-blocking descriptor: os.NewFile registers it with the poller,
	// so the read parks the goroutine, not the thread.
	f := os.NewFile(uintptr(fd), "timerfd")
	if f == nil {
		open.Add(-1)
		return timerFD{}, errors.New("timerfd: invalid descriptor")
	}
	return timerFD{f: f, fd: fd}, nil
}

var errTooMany = errors.New("timerfd: too many open")

func put(t timerFD) {
	select {
	case pool <- t:
	default:
		t.close()
	}
}

func (t timerFD) close() {
	_ = t.f.Close()
	open.Add(-1)
}
