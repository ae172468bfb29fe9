package statelog

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func TestConcurrentPutsSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if err := l.Put("k", fmt.Sprintf("%d-%d", g, i), map[string]int{"g": g, "i": i}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := l.Delete("k", "0-0"); err != nil {
		t.Fatal(err)
	}
	// No Close: a SIGKILLed process never closes; written records must be there.
	l2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = l2.Each("k", func(id string, raw json.RawMessage) error {
		n++
		if id == "0-0" {
			return fmt.Errorf("deleted record %s came back", id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 8*200-1 {
		t.Fatalf("reopened log has %d records, want %d", n, 8*200-1)
	}
}

func TestTornLastLineIsIgnored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Put("k", "a", 1); err != nil {
		t.Fatal(err)
	}
	appendRaw(t, path, `{"op":"put","k":"k","id":"b","v":`)
	l2, err := Open(path)
	if err != nil {
		t.Fatalf("reopen with a torn tail: %v", err)
	}
	n := 0
	_ = l2.Each("k", func(string, json.RawMessage) error { n++; return nil })
	if n != 1 {
		t.Fatalf("records = %d, want 1 (the torn one was never acknowledged)", n)
	}
}

func TestEncodeMatchesJSON(t *testing.T) {
	for _, rec := range []record{
		{Op: "put", Kind: "k", ID: "plain", Val: json.RawMessage(`{"a":1}`)},
		{Op: "put", Kind: "kms.key", ID: "quote\"back\\slash\nnewline é", Val: json.RawMessage(`"x"`)},
		{Op: "del", Kind: "k", ID: "gone"},
	} {
		line := encode(rec)
		var got record
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatalf("encode(%+v) = %s: %v", rec, line, err)
		}
		if got.Op != rec.Op || got.Kind != rec.Kind || got.ID != rec.ID || string(got.Val) != string(rec.Val) {
			t.Fatalf("round trip: got %+v, want %+v", got, rec)
		}
	}
}

// TestAppendInMemoryIsNotRetained: a log with no file keeps appended
// records no more than a file-backed one does (it is never reopened).
func TestAppendInMemoryIsNotRetained(t *testing.T) {
	l, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Put("kept", "a", 1); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := l.Append("trail", fmt.Sprint(i), i); err != nil {
			t.Fatal(err)
		}
	}
	kept, appended := 0, 0
	_ = l.Each("kept", func(string, json.RawMessage) error { kept++; return nil })
	_ = l.Each("trail", func(string, json.RawMessage) error { appended++; return nil })
	if kept != 1 || appended != 0 {
		t.Fatalf("in memory: %d put records and %d appended ones kept, want 1 and 0", kept, appended)
	}
}

func TestAppendIsReplayedButNotRetained(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := l.Append("trail", fmt.Sprint(i), i); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	_ = l.Each("trail", func(string, json.RawMessage) error { n++; return nil })
	if n != 0 {
		t.Fatalf("appended records kept in memory: %d", n)
	}
	l2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = l2.Each("trail", func(string, json.RawMessage) error { n++; return nil })
	if n != 3 {
		t.Fatalf("replayed %d appended records, want 3", n)
	}
}
