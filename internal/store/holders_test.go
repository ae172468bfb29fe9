package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestClaimRun(t *testing.T) {
	ctx := context.Background()
	me := Holder{PID: 100, Host: "a"}
	other := Holder{PID: 200, Host: "b"}
	alive := func(Holder) bool { return true }
	dead := func(Holder) bool { return false }
	tests := map[string]struct {
		first    *Holder // holder before the claim (nil: none)
		age      time.Duration
		takeOver bool
		alive    func(Holder) bool
		want     error
		stale    bool
	}{
		"free":                     {nil, 0, false, alive, nil, false},
		"held by me (resume)":      {&me, 0, false, alive, nil, false},
		"held by a live process":   {&other, 0, false, alive, ErrHeld, false},
		"stale, no take-over":      {&other, time.Hour, false, alive, ErrHeld, true},
		"stale, take-over":         {&other, time.Hour, true, alive, nil, false},
		"fresh, take-over refused": {&other, 0, true, alive, ErrHeld, false},
		"holder process gone":      {&other, 0, false, dead, nil, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, _ := openTemp(t)
			r := testRun(t)
			if err := s.CreateRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			if tc.first != nil {
				if err := s.ClaimRun(ctx, r.ID, *tc.first, time.Minute, false, alive); err != nil {
					t.Fatal(err)
				}
				if _, err := s.db.ExecContext(ctx, `UPDATE run_holders SET heartbeat = ?`, FormatTime(time.Now().Add(-tc.age))); err != nil {
					t.Fatal(err)
				}
			}
			err := s.ClaimRun(ctx, r.ID, me, time.Minute, tc.takeOver, tc.alive)
			var held *HeldError
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) || (err != nil && (!errors.As(err, &held) || held.Stale != tc.stale)) {
				t.Fatalf("ClaimRun: %v, want %v (stale %v)", err, tc.want, tc.stale)
			}
			h, _ := s.RunHolder(ctx, r.ID)
			if mine := h.PID == me.PID && h.Host == me.Host; mine != (err == nil) {
				t.Fatalf("holder after claim: %+v (claim err %v)", h, err)
			}
		})
	}
}

func TestHeartbeatAndRelease(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	r := testRun(t)
	me, other := Holder{PID: 1, Host: "h"}, Holder{PID: 2, Host: "h"}
	if err := s.CreateRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimRun(ctx, r.ID, me, time.Minute, false, func(Holder) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if err := s.Heartbeat(ctx, r.ID, me); err != nil {
		t.Fatal(err)
	}
	if err := s.Heartbeat(ctx, r.ID, other); !errors.Is(err, ErrHeld) {
		t.Fatalf("heartbeat of a non-holder: %v, want ErrHeld", err)
	}
	if err := s.ReleaseRun(ctx, r.ID, other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunHolder(ctx, r.ID); err != nil {
		t.Fatalf("a non-holder's release dropped the holder: %v", err)
	}
	if err := s.ReleaseRun(ctx, r.ID, me); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunHolder(ctx, r.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after release: %v, want ErrNotFound", err)
	}
}
