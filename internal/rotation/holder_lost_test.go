package rotation

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

// TestHoldEndsWorkWhenTakenOver: a process whose run is taken over by
// another (resume --take-over after its heartbeats stalled) stops working:
// the context it works under ends with ErrLockLost at the next heartbeat,
// instead of racing the new holder. Releasing normally ends it without a
// cause.
func TestHoldEndsWorkWhenTakenOver(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := &Engine{Store: st, HeartbeatEvery: 5 * time.Millisecond}
	newRun := func() store.RunID {
		r := store.Run{ID: store.NewRunID(time.Now()), Strategy: "in-place", Operator: "arn:aws:sts::111111111111:assumed-role/byok-operator/a",
			Status: store.StatusPlanned, Created: time.Now()}
		if err := st.CreateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}

	id := newRun()
	work, release, err := e.hold(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	other := store.Holder{PID: 1, Host: "another-host"}
	if err := st.ClaimRun(ctx, id, other, time.Nanosecond, true, func(store.Holder) bool { return true }); err != nil {
		t.Fatalf("take-over: %v", err)
	}
	select {
	case <-work.Done():
	case <-time.After(time.Minute): // a failure guard, not a timing assertion
		t.Fatal("work went on after the run was taken over")
	}
	if cause := context.Cause(work); !errors.Is(cause, ErrLockLost) {
		t.Fatalf("cause %v, want ErrLockLost", cause)
	}

	id2 := newRun()
	work2, release2, err := e.hold(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}
	release2()
	if cause := context.Cause(work2); errors.Is(cause, ErrLockLost) {
		t.Fatalf("a normal release ended the work with %v", cause)
	}
}
