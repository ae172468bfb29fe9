package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/seed"
	"github.com/byok-dev/byok/internal/store"
)

// TestServeStopsAndResumes: a rotation the service started stops at a
// step boundary when its context ends (SIGTERM), keeps its key locked,
// and the next start of the service resumes it to success.
func TestServeStopsAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("rotates a key on the sandbox with SoftHSM2")
	}
	const day = 24 * time.Hour
	opts := seed.Options{Source: "test", DefaultMaterial: seed.Material{Age: 30 * day},
		Material: map[string]seed.Material{"alias/prod/s3": {Age: 400 * day}}}
	w := newServeWorld(t, serveTestYAML(""), &opts, time.Time{})
	w.start(t, realClock{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.wiring.env.engine.Progress = func(p rotation.Progress) {
		if p.Step == store.StepWrap && p.Phase == store.PhaseEnd {
			cancel() // SIGTERM right after the wrap
		}
	}
	res, err := w.svc.RotateKey(ctx, "alias/prod/s3", "the resume test")
	var stopped *rotation.StoppedError
	if !errors.As(err, &stopped) || len(res.RunIDs) != 1 {
		t.Fatalf("RotateKey after cancel: %+v %v, want a stopped run", res, err)
	}
	id := store.RunID(res.RunIDs[0])
	run, err := w.wiring.env.store.GetRun(context.Background(), id)
	if err != nil || run.Status != store.StatusStopped {
		t.Fatalf("run %s: %+v %v, want stopped", id, run, err)
	}
	w.stop()

	w.start(t, realClock{}) // the next start resumes the run
	run, err = w.wiring.env.store.GetRun(context.Background(), id)
	if err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("run %s after restart: %+v %v, want succeeded", id, run, err)
	}
	if k := keyOf(t, w, "alias/prod/s3"); k.Due || k.RotationsUsed != 1 {
		t.Fatalf("alias/prod/s3 after the resumed run: %+v", k)
	}
}
