package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestKeyLocks(t *testing.T) {
	tests := map[string]struct {
		holderStatus RunStatus // status of the run holding the lock
		want         error
	}{
		"planned holds":   {StatusPlanned, ErrLocked},
		"running holds":   {StatusRunning, ErrLocked},
		"stopped holds":   {StatusStopped, ErrLocked},
		"succeeded stale": {StatusSucceeded, nil},
		"failed stale":    {StatusFailed, nil},
		"partial stale":   {StatusPartial, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
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
			if err := s.AcquireKeyLock(ctx, keyA, a.ID); err != nil {
				t.Fatalf("re-acquire by holder: %v", err)
			}
			if err := s.SetRunStatus(ctx, a.ID, tc.holderStatus, ""); err != nil {
				t.Fatal(err)
			}
			err := s.AcquireKeyLock(ctx, keyA, b.ID)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("AcquireKeyLock by other run: err = %v, want %v", err, tc.want)
			}
			var le *LockedError
			if tc.want != nil && (!errors.As(err, &le) || le.HeldBy != a.ID || le.Key != keyA) {
				t.Fatalf("err = %#v, want *LockedError held by %s", err, a.ID)
			}
		})
	}
}

func TestReleaseKeyLock(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	a, b := testRun(t), testRun(t)
	b.ID = NewRunID(t0.Add(time.Minute))
	for _, r := range []Run{a, b} {
		if err := s.CreateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AcquireKeyLock(ctx, keyA, "r-20200101T000000Z-0000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("lock for unknown run: err = %v, want ErrNotFound", err)
	}
	if err := s.AcquireKeyLock(ctx, keyA, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseKeyLock(ctx, keyA, b.ID); !errors.Is(err, ErrLocked) {
		t.Fatalf("release by non-holder: err = %v, want ErrLocked", err)
	}
	if h, st, err := s.LockHolder(ctx, keyA); err != nil || h != a.ID || st != StatusPlanned {
		t.Fatalf("LockHolder = %s %s %v", h, st, err)
	}
	if err := s.ReleaseKeyLock(ctx, keyA, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseKeyLock(ctx, keyA, a.ID); err != nil {
		t.Fatalf("release free key: %v", err)
	}
	if _, _, err := s.LockHolder(ctx, keyA); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LockHolder after release: err = %v, want ErrNotFound", err)
	}
	if err := s.AcquireKeyLock(ctx, keyA, b.ID); err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
}

func TestAbandonRun(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		status RunStatus
		want   error
	}{
		"stopped":   {StatusStopped, nil},
		"running":   {StatusRunning, nil},
		"succeeded": {StatusSucceeded, ErrInvalid},
		"partial":   {StatusPartial, ErrInvalid},
		"unknown":   {StatusStopped, ErrNotFound},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, _ := openTemp(t)
			r := testRun(t)
			if err := s.CreateRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := s.AcquireKeyLock(ctx, keyA, r.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.SetRunStatus(ctx, r.ID, tc.status, ""); err != nil {
				t.Fatal(err)
			}
			id := r.ID
			if name == "unknown" {
				id = NewRunID(t0.Add(time.Hour))
			}
			err := s.AbandonRun(ctx, id, "abandoned: HSM object lost")
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("AbandonRun: %v, want %v", err, tc.want)
			}
			_, _, lerr := s.LockHolder(ctx, keyA)
			got, _ := s.GetRun(ctx, r.ID)
			if tc.want == nil && (!errors.Is(lerr, ErrNotFound) || got.Status != StatusFailed || got.Error == "") {
				t.Fatalf("after abandon: lock %v, run %s %q", lerr, got.Status, got.Error)
			}
			if tc.want != nil && lerr != nil {
				t.Fatalf("a refused abandon released the lock: %v", lerr)
			}
		})
	}
}
