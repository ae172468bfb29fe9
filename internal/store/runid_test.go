package store

import (
	"errors"
	"sort"
	"testing"
	"time"
)

func TestRunIDs(t *testing.T) {
	ids := []RunID{NewRunID(t0.Add(time.Hour)), NewRunID(t0), NewRunID(t0.Add(-time.Second))}
	for _, id := range ids {
		if _, err := ParseRunID(string(id)); err != nil {
			t.Fatalf("ParseRunID(NewRunID) %q: %v", id, err)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if tm, _ := ids[0].Time(); !tm.Equal(t0.Add(-time.Second)) {
		t.Fatalf("ids do not sort by time: %v", ids)
	}
	bad := []string{"", "r-20261127T010203Z-abc", "r-20261127T010203Z-ABCD", "x-20261127T010203Z-abcd",
		"r-20261327T010203Z-abcd", "r-20261127T010203Z_abcd", "r-20261127T010203Zabcde"}
	for _, s := range bad {
		if _, err := ParseRunID(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseRunID(%q): err = %v, want ErrInvalid", s, err)
		}
	}
}

func FuzzParseRunID(f *testing.F) {
	for _, s := range []string{"r-20261127T010203Z-abcd", "", "r-", "r-20261127T010203Z-", "r-99999999T999999Z-zzzz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseRunID(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		tm, err := id.Time()
		if err != nil {
			t.Fatalf("parsed ID %q has no time: %v", s, err)
		}
		if again := NewRunID(tm); again[:len(again)-4] != id[:len(id)-4] {
			t.Fatalf("time part does not round-trip: %q vs %q", again, id)
		}
	})
}

func FuzzParseStep(f *testing.F) {
	for _, s := range []string{"plan", "hsm-generate", "done", "", "Step(3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStep(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || st != StepUnknown {
				t.Fatalf("ParseStep(%q) = %v, %v", s, st, err)
			}
			return
		}
		if st.String() != s {
			t.Fatalf("ParseStep(%q).String() = %q", s, st)
		}
	})
}
