//go:build cgo

package hsm_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/byok-dev/byok/internal/hsm"
)

// testHandleReuse: an object the session generated is wrapped and found
// again without a label scan; another session (a resumed run in a new
// process) finds it by label; once destroyed elsewhere, the stale handle
// is never used: the wrap says not found, and find-or-generate makes one
// new object, not a second beside the old.
func testHandleReuse(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.open(t)
	der := pkixDER(t, &rsa4096().PublicKey)
	const label = "byok:run-2:alias/prod/s3"
	id := []byte("run-2")
	before := hsm.ScansForTest(s)
	obj, generated, err := s.FindOrGenerateAES256(ctx, label, id)
	if err != nil || !generated {
		t.Fatalf("FindOrGenerateAES256 = %+v, %v, %v; want a generated object", obj, generated, err)
	}
	if n := hsm.ScansForTest(s) - before; n != 1 {
		t.Fatalf("find-or-generate of a new label made %d label scans, want 1", n)
	}
	if _, err := s.Wrap(ctx, obj, der, h.tok.Algorithm, 4096); err != nil {
		t.Fatalf("Wrap: %v", err)
	}
	again, generated, err := s.FindOrGenerateAES256(ctx, label, id)
	if err != nil || generated || !bytes.Equal(again.ID, id) {
		t.Fatalf("second FindOrGenerateAES256 = %+v, %v, %v; want the same object found", again, generated, err)
	}
	if _, err := s.Find(ctx, label); err != nil {
		t.Fatalf("Find: %v", err)
	}
	if n := hsm.ScansForTest(s) - before; n != 1 {
		t.Fatalf("wrap and finds of a known object scanned labels: %d scans in all, want 1", n)
	}

	other := h.open(t)
	found, err := other.Find(ctx, label)
	if err != nil || !bytes.Equal(found.ID, id) || hsm.ScansForTest(other) != 1 {
		t.Fatalf("a new session's Find = %+v, %v after %d scans; want it found by label", found, err, hsm.ScansForTest(other))
	}
	if err := other.Destroy(ctx, found); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	if _, err := s.Wrap(ctx, obj, der, h.tok.Algorithm, 4096); !errors.Is(h.record(err), hsm.ErrObjectNotFound) {
		t.Fatalf("Wrap of an object destroyed by another session = %v, want ErrObjectNotFound", err)
	}
	if _, generated, err := s.FindOrGenerateAES256(ctx, label, id); err != nil || !generated {
		t.Fatalf("find-or-generate after the destroy: generated %v, %v", generated, err)
	}
	if n := labelled(t, s, label); n != 1 {
		t.Fatalf("%d objects labelled %s, want exactly one", n, label)
	}
	if err := s.Destroy(ctx, obj); err != nil {
		t.Fatalf("cleanup: %v", err)
	}

	// A label the caller knows is unused: generated and wrapped, no scan.
	before = hsm.ScansForTest(s)
	fresh, err := s.GenerateUnusedAES256(ctx, "byok:run-4:alias/prod/rds", []byte("run-4"))
	if err != nil {
		t.Fatalf("GenerateUnusedAES256: %v", err)
	}
	if _, err := s.Wrap(ctx, fresh, der, h.tok.Algorithm, 4096); err != nil {
		t.Fatalf("Wrap: %v", err)
	}
	if n := hsm.ScansForTest(s) - before; n != 0 {
		t.Fatalf("generate-unused and wrap made %d label scans, want none", n)
	}
	if _, err := s.GenerateUnusedAES256(ctx, "byok:", nil); !errors.Is(h.record(err), hsm.ErrBadLabel) {
		t.Fatalf("bare prefix = %v, want ErrBadLabel", err)
	}
	if err := s.Destroy(ctx, fresh); err != nil {
		t.Fatalf("cleanup: %v", err)
	}
}

// testFindOrGenerateOnce: callers racing on one label in one process get
// one object between them.
func testFindOrGenerateOnce(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.open(t)
	const label = "byok:run-3:alias/dev/rds"
	var wg sync.WaitGroup
	var mu sync.Mutex
	generated := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, gen, err := s.FindOrGenerateAES256(ctx, label, []byte("run-3"))
			if err != nil {
				t.Errorf("FindOrGenerateAES256: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if gen {
				generated++
			}
		}()
	}
	wg.Wait()
	if n := labelled(t, s, label); n != 1 || generated != 1 {
		t.Fatalf("8 racing callers: %d generated, %d objects labelled %s; want one", generated, n, label)
	}
	if _, _, err := s.FindOrGenerateAES256(ctx, "nobyok", nil); !errors.Is(h.record(err), hsm.ErrBadLabel) {
		t.Fatalf("unprefixed label = %v, want ErrBadLabel", err)
	}
	if err := s.Destroy(ctx, hsm.Object{Label: label, ID: []byte("run-3")}); err != nil {
		t.Fatalf("cleanup: %v", err)
	}
}

// labelled counts the token's objects labelled label.
func labelled(t *testing.T, s *hsm.Session, label string) int {
	t.Helper()
	list, err := s.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	n := 0
	for _, o := range list {
		if o.Label == label {
			n++
		}
	}
	return n
}
