package s3objects

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

type recCheckpoint struct {
	marks  []string
	counts []int64
}

func (r *recCheckpoint) Load(context.Context) (string, Counts, error) { return "", Counts{}, nil }
func (r *recCheckpoint) Save(_ context.Context, after string, c Counts) error {
	r.marks = append(r.marks, after)
	r.counts = append(r.counts, c.Done())
	return nil
}

// TestLowWaterMark completes listed objects in various orders and checks
// that every saved mark has it and every earlier object done.
func TestLowWaterMark(t *testing.T) {
	for name, tc := range map[string]struct {
		order []int // completion order of seq 0..n-1
		every int
		marks []string
	}{
		"in order":          {[]int{0, 1, 2, 3}, 1, []string{"k0", "k1", "k2", "k3", "k3"}},
		"last first":        {[]int{3, 2, 1, 0}, 1, []string{"k3", "k3"}},
		"gap held":          {[]int{1, 2, 0, 3}, 1, []string{"k2", "k3", "k3"}},
		"every two":         {[]int{0, 2, 1, 3}, 2, []string{"k2", "k3"}},
		"middle late":       {[]int{0, 1, 3, 2}, 1, []string{"k0", "k1", "k3", "k3"}},
		"nothing done save": {[]int{}, 1, []string{""}},
	} {
		t.Run(name, func(t *testing.T) {
			cp := &recCheckpoint{}
			tr := newTracker(context.Background(), Options{Checkpoint: cp, CheckpointEvery: tc.every}, "", Counts{})
			for i := range len(tc.order) {
				tr.add(fmt.Sprintf("k%d", i))
			}
			for _, s := range tc.order {
				tr.done(int64(s), outcome{kind: outcomeCopied, key: fmt.Sprintf("k%d", s), size: 1})
			}
			c, err := tr.finish(true)
			if err != nil || c.Copied != int64(len(tc.order)) {
				t.Fatalf("finish: %+v %v", c, err)
			}
			if !slices.Equal(cp.marks, tc.marks) {
				t.Fatalf("marks %q, want %q", cp.marks, tc.marks)
			}
			for i, m := range cp.marks {
				var n int64
				if m != "" {
					_, _ = fmt.Sscanf(m, "k%d", &n)
					n++
				}
				if cp.counts[i] != n {
					t.Fatalf("mark %q saved with %d done, want %d", m, cp.counts[i], n)
				}
			}
		})
	}
}

// TestFinishAfterFailureReportsOnlyBelowMark: objects done above a gap
// are not reported (never more than the checkpoint holds).
func TestFinishAfterFailureReportsOnlyBelowMark(t *testing.T) {
	cp := &recCheckpoint{}
	tr := newTracker(context.Background(), Options{Checkpoint: cp, CheckpointEvery: 100}, "k", Counts{Copied: 7})
	for i := range 3 {
		tr.add(fmt.Sprintf("m%d", i))
	}
	tr.done(0, outcome{kind: outcomeCopied, key: "m0"})
	tr.done(2, outcome{kind: outcomeCopied, key: "m2"})
	c, _ := tr.finish(false)
	if c.Copied != 8 || !slices.Equal(cp.marks, []string{"m0"}) {
		t.Fatalf("counts %+v marks %q, want 8 copied up to m0", c, cp.marks)
	}
}
