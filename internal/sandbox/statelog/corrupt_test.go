package statelog

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func appendRaw(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// written returns a closed log of n records and its bytes.
func written(t *testing.T, n int) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := l.Put("k", string(rune('a'+i)), map[string]int{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

func count(t *testing.T, l *Log) int {
	t.Helper()
	n := 0
	_ = l.Each("k", func(string, json.RawMessage) error { n++; return nil })
	return n
}

func TestCorruptFilesAreRefused(t *testing.T) {
	for name, damage := range map[string]func(b []byte) []byte{
		"truncated to half":             func(b []byte) []byte { return b[:len(b)/2] },
		"truncated at a record end":     func(b []byte) []byte { return b[:strings.LastIndex(string(b[:len(b)-1]), "\n")+1] },
		"last acknowledged record torn": func(b []byte) []byte { return b[:len(b)-3] },
		"one byte changed":              func(b []byte) []byte { c := append([]byte(nil), b...); c[len(c)-10] ^= 1; return c },
		"header damaged":                func(b []byte) []byte { return append([]byte("#byok-sandbox-state v2 acked=x"), b[headerLen-1:]...) },
	} {
		t.Run(name, func(t *testing.T) {
			path, b := written(t, 5)
			if err := os.WriteFile(path, damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "move it away") {
				t.Fatalf("Open = %v, want ErrCorrupt with a hint", err)
			}
		})
	}
}

func TestTornUnacknowledgedRecordIsDropped(t *testing.T) {
	path, _ := written(t, 3)
	appendRaw(t, path, string(frame(encode(record{Op: "put", Kind: "k", ID: "z", Val: json.RawMessage(`1`)})))[:12])
	l, err := Open(path)
	if err != nil {
		t.Fatalf("reopen with a torn unacknowledged record: %v", err)
	}
	if n := count(t, l); n != 3 {
		t.Fatalf("records = %d, want 3", n)
	}
}

func TestFirstFormatIsReadAndRewritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	v1 := `{"op":"put","k":"k","id":"a","v":1}` + "\n" + `{"op":"put","k":"k","id":"b","v":2}` + "\n"
	if err := os.WriteFile(path, []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Open(path)
	if err != nil || count(t, l) != 2 {
		t.Fatalf("open first format: %v", err)
	}
	_ = l.Close()
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), headerPrefix+"00000000000000000002\n") {
		t.Fatalf("rewritten file starts %q, want the v2 header counting 2", b[:min(len(b), 60)])
	}
}

func TestStagedStateAppearsOnlyWhenPublished(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	l, err := OpenStaged(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Put("k", "a", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("state at %s before Publish: %v", path, err)
	}
	if err := l.Publish(); err != nil {
		t.Fatal(err)
	}
	if err := l.Put("k", "b", 2); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2, err := OpenStaged(path)
	if err != nil || count(t, l2) != 2 {
		t.Fatalf("reopen published state: %v", err)
	}
	_ = l2.Close()
}

func TestUnpublishedStateIsDiscarded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	l, err := OpenStaged(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = l.Put("k", "a", 1)
	// A process killed before Publish leaves the staging file: the next
	// start discards it and starts empty.
	l2, err := OpenStaged(path)
	if err != nil || count(t, l2) != 0 {
		t.Fatalf("open after an unpublished first seed: %v", err)
	}
	_ = l.Close()
	if err := l2.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + stagingSuffix} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s left behind after closing an unpublished state: %v", p, err)
		}
	}
}
