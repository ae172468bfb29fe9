package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// ListKeyLocks shows unfinished runs' locks with their holder process (or
// none); ForceReleaseKeyLock frees one and is idempotent (ErrNotFound).
func TestListAndForceReleaseKeyLocks(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	a, b := testRun(t), testRun(t)
	b.ID = NewRunID(t0.Add(time.Minute))
	for _, r := range []Run{a, b} {
		if err := s.CreateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AcquireKeyLock(ctx, keyA, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.AcquireKeyLock(ctx, keyA+"-b", b.ID); err != nil {
		t.Fatal(err)
	}
	me := Holder{PID: 42, Host: "h1"}
	if err := s.ClaimRun(ctx, a.ID, me, time.Minute, false, func(Holder) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRunStatus(ctx, b.ID, StatusSucceeded, ""); err != nil {
		t.Fatal(err)
	}
	locks, err := s.ListKeyLocks(ctx)
	if err != nil || len(locks) != 1 {
		t.Fatalf("locks = %+v, %v (a finished run's lock is free)", locks, err)
	}
	if l := locks[0]; l.KeyARN != keyA || l.Run != a.ID || !l.HasHolder || l.Holder.PID != 42 || l.Holder.Host != "h1" {
		t.Fatalf("lock = %+v", l)
	}
	if err := s.ReleaseRun(ctx, a.ID, me); err != nil {
		t.Fatal(err)
	}
	if locks, _ := s.ListKeyLocks(ctx); len(locks) != 1 || locks[0].HasHolder {
		t.Fatalf("after the holder left: %+v", locks)
	}
	run, err := s.ForceReleaseKeyLock(ctx, keyA)
	if err != nil || run != a.ID {
		t.Fatalf("force release = %s, %v", run, err)
	}
	if _, err := s.ForceReleaseKeyLock(ctx, keyA); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second force release: %v", err)
	}
	if locks, _ := s.ListKeyLocks(ctx); len(locks) != 0 {
		t.Fatalf("after release: %+v", locks)
	}
}
