package s3objects_test

import (
	"context"
	"errors"
	"testing"

	"github.com/byok-dev/byok/internal/migrate/s3objects"
)

// TestResumeAfterStop stops a pass at its second checkpoint (as a killed
// process would stop) and resumes from the saved mark: every object ends
// on the target, saved marks only move forward, the resumed pass lists
// only after the mark, and no object is copied more than once.
func TestResumeAfterStop(t *testing.T) {
	e := newEnv(t)
	const b, n = "reenc-resume", 60
	e.bucket(t, b, false, false)
	for i := range n {
		e.put(t, b, objKey(i), e.old, []byte(objKey(i)), nil)
	}
	stop := errors.New("stopped at a checkpoint")
	ctx, cancel := context.WithCancelCause(context.Background())
	cp := &memCheckpoint{}
	cp.onSave = func(string) {
		if len(cp.saves) == 2 {
			cancel(stop)
		}
	}
	var progress []s3objects.Progress
	opts := s3objects.Options{Bucket: b, TargetKeyARN: e.target, InFlight: 4, CheckpointEvery: 10, Checkpoint: cp,
		TotalObjects: n, Progress: func(p s3objects.Progress) { progress = append(progress, p) }}
	first, err := s3objects.Run(ctx, e.s3, opts)
	if !errors.Is(err, stop) {
		t.Fatalf("first pass: %v, want the stop", err)
	}
	mark := cp.after
	if mark == "" || first.Done() >= n {
		t.Fatalf("first pass mark %q done %d: it should stop part-way", mark, first.Done())
	}
	cp.onSave = nil
	opts.Progress = nil
	res, err := s3objects.Run(context.Background(), e.s3, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done() != n || res.Copied+res.AlreadyOnTarget != n {
		t.Fatalf("resumed counts %+v, want %d objects accounted for", res.Counts, n)
	}
	for i := range n {
		k := objKey(i)
		e.onKey(t, b, k, e.target, []byte(k))
		if c := e.calls.get("CopyObject " + k); c != 1 && !(c == 2 && k > mark) {
			t.Fatalf("%s copied %d times (mark %s)", k, c, mark)
		}
	}
	for i := 1; i < len(cp.saves); i++ {
		if cp.saves[i] < cp.saves[i-1] {
			t.Fatalf("marks went back: %q", cp.saves)
		}
	}
	if last := progress[len(progress)-1]; last.Total != n || last.Objects < first.Done() {
		t.Fatalf("progress %+v after %d done", last, first.Done())
	}
}
