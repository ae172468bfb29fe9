package sharedstate_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/sharedstate"
)

func lockOf(run, host string, pid int) sharedstate.Lock {
	return sharedstate.Lock{Key: keyA, Holder: "arn:aws:iam::111111111111:role/byok-operator", Host: host, PID: pid, Run: run}
}

// Two operators with different local state files: the second is refused
// naming the first; the first heartbeats and releases with If-Match; a
// lock taken over behind a holder's back is reported lost, not overwritten.
func TestLockProtocol(t *testing.T) {
	c := newClock()
	cl := newS3(t)
	a, b := c.store(cl), c.store(cl)
	la, err := a.Acquire(bg, lockOf("r-a", "host-a", 10), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Acquire(bg, lockOf("r-b", "host-b", 20), time.Minute)
	var held *sharedstate.HeldError
	if !errors.As(err, &held) || held.Lock.Run != "r-a" || held.Lock.Host != "host-a" || held.Lock.PID != 10 || held.Stale {
		t.Fatalf("second acquire: %v", err)
	}
	if !strings.Contains(err.Error(), "r-a") || !strings.Contains(err.Error(), "host-a") {
		t.Fatalf("refusal does not name the holder: %v", err)
	}
	c.advance(30 * time.Second)
	la2, err := a.Heartbeat(bg, la)
	if err != nil || la2.ETag == la.ETag || !la2.Heartbeat.Equal(c.t) {
		t.Fatalf("heartbeat: %+v %v", la2, err)
	}
	if _, err := a.Heartbeat(bg, la); !errors.Is(err, sharedstate.ErrLost) {
		t.Fatalf("heartbeat with a stale ETag: %v", err)
	}
	// The same run resumed by another process takes its own lock over.
	lr, err := b.Acquire(bg, lockOf("r-a", "host-b", 21), time.Minute)
	if err != nil || lr.Host != "host-b" || !lr.Since.Equal(la.Since) {
		t.Fatalf("resume of the same run: %+v %v", lr, err)
	}
	if err := a.Release(bg, la2); !errors.Is(err, sharedstate.ErrLost) {
		t.Fatalf("release by the replaced process: %v", err)
	}
	if err := b.Release(bg, lr); err != nil {
		t.Fatal(err)
	}
	if err := b.Release(bg, lr); err != nil {
		t.Fatalf("second release is a no-op: %v", err)
	}
	if _, err := a.Get(bg, keyA); !errors.Is(err, sharedstate.ErrNotFound) {
		t.Fatalf("after release: %v", err)
	}
}

// A forced release refuses a live holder, frees a stale one, and is
// idempotent; the freed holder's heartbeat then reports the loss.
func TestForceRelease(t *testing.T) {
	c := newClock()
	cl := newS3(t)
	a, op := c.store(cl), c.store(cl)
	la, err := a.Acquire(bg, lockOf("r-a", "host-a", 10), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var live *sharedstate.LiveError
	if _, err := op.ForceRelease(bg, keyA, time.Minute, nil); !errors.As(err, &live) || live.Lock.Run != "r-a" {
		t.Fatalf("force release of a live holder: %v", err)
	}
	c.advance(2 * time.Minute)
	if _, err := op.Acquire(bg, lockOf("r-b", "host-b", 2), time.Minute); err == nil {
		t.Fatal("a stale lock was taken without a forced release")
	} else if h := new(sharedstate.HeldError); !errors.As(err, &h) || !h.Stale || !strings.Contains(err.Error(), "lock release --force") {
		t.Fatalf("stale holder: %v", err)
	}
	got, err := op.ForceRelease(bg, keyA, time.Minute, nil)
	if err != nil || got.Run != "r-a" {
		t.Fatalf("force release: %+v %v", got, err)
	}
	if _, err := op.ForceRelease(bg, keyA, time.Minute, nil); !errors.Is(err, sharedstate.ErrNotFound) {
		t.Fatalf("second force release: %v", err)
	}
	if _, err := a.Heartbeat(bg, la); !errors.Is(err, sharedstate.ErrLost) {
		t.Fatalf("holder after a forced release: %v", err)
	}
}

// Many processes race for one key: exactly one wins; the others are
// refused naming it (409s from the race are retried, never surfaced).
func TestLockRace(t *testing.T) {
	c := newClock()
	cl := newS3(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, refusals := 0, 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.store(cl).Acquire(bg, lockOf("r-"+string(rune('a'+i)), "h", i), time.Minute)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, sharedstate.ErrHeld):
				refusals++
			default:
				t.Errorf("acquire: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || refusals != 7 {
		t.Fatalf("wins %d refusals %d", wins, refusals)
	}
	locks, err := c.store(cl).List(bg)
	if err != nil || len(locks) != 1 {
		t.Fatalf("list: %+v %v", locks, err)
	}
}
