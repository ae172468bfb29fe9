package rotation

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

// TestCreateRunRedrawsTakenID: a run ID drawn twice in one second (the CI
// failure that made this: "create run r-…-d5de: already exists") gets a
// fresh ID instead of failing the operator's command; a store that keeps
// answering ErrExists still ends in that error after the bounded attempts.
func TestCreateRunRedrawsTakenID(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := &Engine{Store: st}
	rq := []store.RequestKey{{Alias: "alias/a", Region: "eu-west-1"}}
	taken := store.RunID("r-20261205T225920Z-d5de")
	if err := st.CreateRunWithRequest(ctx, store.Run{ID: taken, Strategy: "retire", Status: store.StatusRunning}, rq); err != nil {
		t.Fatal(err)
	}
	defer func(f func(time.Time) store.RunID) { newRunID = f }(newRunID)
	draws := 0
	newRunID = func(now time.Time) store.RunID {
		draws++
		if draws == 1 {
			return taken
		}
		return store.NewRunID(now)
	}
	run := store.Run{Strategy: "retire", Status: store.StatusRunning}
	if err := e.createRun(ctx, &run, rq); err != nil {
		t.Fatalf("createRun after a taken ID: %v", err)
	}
	if run.ID == taken || draws != 2 {
		t.Fatalf("run ID %s after %d draws, want a fresh ID after 2", run.ID, draws)
	}
	if _, err := st.GetRun(ctx, run.ID); err != nil {
		t.Fatalf("recorded run: %v", err)
	}
	newRunID = func(time.Time) store.RunID { return taken }
	run = store.Run{Strategy: "retire", Status: store.StatusRunning}
	if err := e.createRun(ctx, &run, rq); !errors.Is(err, store.ErrExists) {
		t.Fatalf("always-taken ID: err %v, want ErrExists", err)
	}
}
