package sharedstate

import (
	"errors"
	"fmt"
	"github.com/byok-dev/byok/internal/rotation"
	"time"
)

// Lock is one key's lock object.
type Lock struct {
	Key       string    `json:"key"`       // KMS key ARN
	Holder    string    `json:"holder"`    // principal ARN of the operator
	Host      string    `json:"host"`      // host name of the process
	PID       int       `json:"pid"`       // process ID on Host
	Run       string    `json:"run"`       // byok run ID
	Since     time.Time `json:"since"`     // when the lock was taken
	Heartbeat time.Time `json:"heartbeat"` // last heartbeat of the process
	// ETag is the lock object's ETag as last written or read (not stored).
	ETag string `json:"-"`
}

// Stale reports whether the holder has not heartbeat for staleAfter.
func (l Lock) Stale(now time.Time, staleAfter time.Duration) bool {
	return now.Sub(l.Heartbeat) > staleAfter
}

// Describe names the holder for a human.
func (l Lock) Describe() string {
	return fmt.Sprintf("run %s of %s (process %d on %s, since %s, last heartbeat %s)", l.Run, l.Holder, l.PID, l.Host,
		l.Since.UTC().Format(time.RFC3339), l.Heartbeat.UTC().Format(time.RFC3339))
}

// Sentinel errors, matched with errors.Is.
var (
	// ErrHeld: another run holds the key's shared lock; see HeldError.
	ErrHeld = errors.New("key is locked in the shared state")
	// ErrLost: the lock this process held was released or taken by someone
	// else (a forced release); the process must stop working on the key.
	ErrLost = rotation.ErrLockLost
	// ErrNotFound: no lock object for the key.
	ErrNotFound = errors.New("no shared lock")
	// ErrLive: a forced release of a lock whose holder still heartbeats.
	ErrLive = errors.New("lock holder is alive")
)

// HeldError names the holder of a key's shared lock.
type HeldError struct {
	Location Location
	Lock     Lock
	Stale    bool
}

func (e *HeldError) Error() string {
	s := fmt.Sprintf("key %s is locked in %s by %s", e.Lock.Key, e.Location, e.Lock.Describe())
	if e.Stale {
		s += "; it stopped heartbeating: if that process is gone, free the key with byok lock release --force --reason \"holder gone\" " + e.Lock.Key
	}
	return s
}

// Unwrap lets errors.Is(err, ErrHeld) match.
func (e *HeldError) Unwrap() error { return ErrHeld }

// LiveError refuses a forced release of a lock whose holder heartbeats.
type LiveError struct {
	Lock       Lock
	StaleAfter time.Duration
}

func (e *LiveError) Error() string {
	return fmt.Sprintf("%s is held by %s, which heartbeat less than %s ago: it is alive; wait for it or stop that process first",
		e.Lock.Key, e.Lock.Describe(), e.StaleAfter)
}

// Unwrap lets errors.Is(err, ErrLive) match.
func (e *LiveError) Unwrap() error { return ErrLive }
