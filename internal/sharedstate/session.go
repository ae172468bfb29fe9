package sharedstate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// DefaultStaleAfter is how long a lock holder may go without a heartbeat
// before lock status calls it stale (the engine heartbeats every 10 s).
const DefaultStaleAfter = 2 * time.Minute

// Session is one byok process's use of the shared state: the engine's
// rotation.SharedState. It remembers the locks it took (with their ETags)
// and the run journal objects it writes.
type Session struct {
	Store *Store
	// Holder is the operator's principal ARN; Host and PID identify the
	// process (os.Hostname and os.Getpid when empty).
	Holder     string
	Host       string
	PID        int
	StaleAfter time.Duration

	mu   sync.Mutex
	held map[string]Lock       // key ARN → lock as last written
	runs map[string]*RunRecord // run → its journal object
}

var (
	_ rotation.SharedState      = (*Session)(nil)
	_ rotation.SharedLockReader = (*Session)(nil)
)

func (s *Session) me(run store.RunID, keyARN string) Lock {
	host, pid := s.Host, s.PID
	if host == "" {
		host, _ = os.Hostname()
	}
	if pid == 0 {
		pid = os.Getpid()
	}
	return Lock{Key: keyARN, Holder: s.Holder, Host: host, PID: pid, Run: run.String()}
}

func (s *Session) staleAfter() time.Duration {
	if s.StaleAfter <= 0 {
		return DefaultStaleAfter
	}
	return s.StaleAfter
}

// AcquireKey implements rotation.SharedState.
func (s *Session) AcquireKey(ctx context.Context, keyARN string, run store.RunID) error {
	l, err := s.Store.Acquire(ctx, s.me(run, keyARN), s.staleAfter())
	var held *HeldError
	if errors.As(err, &held) && !held.Stale && !rotation.ProcessAlive(held.Lock.Host, held.Lock.PID) {
		held.Stale = true // its process is not running on this host
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = map[string]Lock{}
	}
	s.held[keyARN] = l
	return nil
}

// ReleaseKey implements rotation.SharedState.
func (s *Session) ReleaseKey(ctx context.Context, keyARN string, run store.RunID) error {
	s.mu.Lock()
	l, ok := s.held[keyARN]
	delete(s.held, keyARN)
	s.mu.Unlock()
	if !ok || l.Run != run.String() {
		return nil
	}
	return s.Store.Release(ctx, l)
}

// Heartbeat implements rotation.SharedState.
func (s *Session) Heartbeat(ctx context.Context, run store.RunID) error {
	s.mu.Lock()
	var mine []Lock
	for _, l := range s.held {
		if l.Run == run.String() {
			mine = append(mine, l)
		}
	}
	s.mu.Unlock()
	var errs []error
	for _, l := range mine {
		nl, err := s.Store.Heartbeat(ctx, l)
		if err != nil {
			errs = append(errs, err)
			if errors.Is(err, ErrLost) {
				s.forget(l.Key)
			}
			continue
		}
		s.mu.Lock()
		s.held[l.Key] = nl
		s.mu.Unlock()
	}
	return errors.Join(errs...)
}

func (s *Session) forget(keyARN string) {
	s.mu.Lock()
	delete(s.held, keyARN)
	s.mu.Unlock()
}

// ReleaseRun implements rotation.SharedState: the run has ended, so every
// lock naming it is freed, including those a killed process of the run
// left behind (each deleted with If-Match on the ETag just read).
func (s *Session) ReleaseRun(ctx context.Context, run store.RunID) error {
	locks, err := s.Store.List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, l := range locks {
		if l.Run != run.String() {
			continue
		}
		s.forget(l.Key)
		if err := s.Store.Release(ctx, l); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Step implements rotation.SharedState: the run's journal object is
// rewritten with the key's step boundary. A failed write is not fatal to
// the run (the local journal has the step); it is retried at the next one.
func (s *Session) Step(ctx context.Context, ev rotation.Progress) {
	rec := s.record(ctx, ev.RunID)
	s.mu.Lock()
	kr := RunKeyRec{Key: ev.KeyARN, Step: ev.Step.String(), Phase: ev.Phase.String()}
	if ev.Err != nil {
		kr.Error = ev.Err.Error()
	}
	replaced := false
	for i := range rec.Keys {
		if rec.Keys[i].Key == ev.KeyARN {
			rec.Keys[i], replaced = kr, true
		}
	}
	if !replaced {
		rec.Keys = append(rec.Keys, kr)
	}
	rec.Status = rec.status()
	cp := *rec
	cp.Keys = append([]RunKeyRec(nil), rec.Keys...)
	s.mu.Unlock()
	_ = s.Store.PutRun(ctx, cp)
}

// record is this process's journal object of run: on the first boundary
// of the run in this process, the keys another process (a killed holder,
// before a resume) recorded are kept, and this process is the holder.
func (s *Session) record(ctx context.Context, run store.RunID) *RunRecord {
	s.mu.Lock()
	rec := s.runs[run.String()]
	s.mu.Unlock()
	if rec != nil {
		return rec
	}
	prev, err := s.Store.GetRun(ctx, run.String())
	me := s.me(run, "")
	fresh := &RunRecord{Run: run.String(), Status: "running", Holder: me.Holder, Host: me.Host, PID: me.PID}
	if err == nil {
		fresh.Keys = prev.Keys
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runs == nil {
		s.runs = map[string]*RunRecord{}
	}
	if rec = s.runs[run.String()]; rec == nil {
		rec = fresh
		s.runs[run.String()] = rec
	}
	return rec
}

// Describe is the session for messages.
func (s *Session) Describe() string { return fmt.Sprintf("shared state %s", s.Store.Location) }

// KeyHolder implements rotation.SharedLockReader: the shared lock's
// holder of keyARN as a *HeldError (held), nil when the key is free.
func (s *Session) KeyHolder(ctx context.Context, keyARN string) (held error, err error) {
	l, err := s.Store.Get(ctx, keyARN)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	stale := l.Stale(s.Store.now(), s.staleAfter()) || !rotation.ProcessAlive(l.Host, l.PID)
	return &HeldError{Location: s.Store.Location, Lock: l, Stale: stale}, nil
}
