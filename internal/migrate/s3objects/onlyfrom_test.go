package s3objects_test

import (
	"context"
	"errors"
	"testing"

	"github.com/byok-dev/byok/internal/migrate/s3objects"
)

// TestOnlyFromKey: with OnlyFromKeyARN (a migration rollback) only the
// objects on that key are copied onto the target; objects on a third key
// are counted as OtherKey and left where they are, and a second pass
// copies nothing.
func TestOnlyFromKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const b = "only-from"
	e.bucket(t, b, true, false)
	third := e.key(t, "third")
	e.put(t, b, "a/moved", e.target, []byte("moved"), nil)
	e.put(t, b, "b/third", third, []byte("third"), nil)
	e.put(t, b, "c/moved", e.target, []byte("moved too"), nil)
	e.put(t, b, "d/home", e.old, []byte("home"), nil)
	opts := s3objects.Options{Bucket: b, TargetKeyARN: e.old, OnlyFromKeyARN: e.target, InFlight: 2}
	res, err := s3objects.Run(ctx, e.s3, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := s3objects.Counts{Copied: 2, AlreadyOnTarget: 1, OtherKey: 1, Bytes: int64(len("moved") + len("moved too"))}
	if !equalCounts(res.Counts, want) || res.OtherKey != want.OtherKey {
		t.Fatalf("counts %+v, want %+v", res.Counts, want)
	}
	e.onKey(t, b, "a/moved", e.old, []byte("moved"))
	e.onKey(t, b, "c/moved", e.old, []byte("moved too"))
	e.onKey(t, b, "b/third", third, []byte("third"))
	if n := e.calls.get("CopyObject b/third"); n != 0 {
		t.Fatalf("object on a third key copied %d times", n)
	}
	again, err := s3objects.Run(ctx, e.s3, opts)
	if err != nil || again.Copied != 0 || again.AlreadyOnTarget != 3 || again.OtherKey != 1 {
		t.Fatalf("second pass: %+v %v", again.Counts, err)
	}
	opts.OnlyFromKeyARN = "alias/prod/s3"
	if _, err := s3objects.Run(ctx, e.s3, opts); !errors.Is(err, s3objects.ErrBadTarget) {
		t.Fatalf("alias as only-from key: %v, want ErrBadTarget", err)
	}
}
