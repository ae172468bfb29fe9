package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

var t0 = time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC)

func openLog(t testing.TB) (*Log, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l, err := Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return l, st
}

func sampleEntry(i int) Entry {
	return Entry{
		Time: t0.Add(time.Duration(i) * time.Minute), Operator: "arn:aws:sts::111111111111:assumed-role/byok-operator/alice",
		ChangeRef: "CHG-42", RunID: "r-20261127T010203Z-abcd", KeyARN: fmt.Sprintf("arn:aws:kms:eu-west-1:111111111111:key/k%d", i),
		Strategy: "in-place", OldMaterialID: fmt.Sprintf("old%d", i), NewMaterialID: fmt.Sprintf("new%d", i),
		BlobSHA256: strings.Repeat("ab", 32), Verification: json.RawMessage(`{ "222222222222": "ok" }`),
		Timings: json.RawMessage(`{"import_ms": 41}`), Outcome: OutcomeSucceeded,
	}
}

func seed(t testing.TB, l *Log, n int) []Entry {
	t.Helper()
	var out []Entry
	for i := 1; i <= n; i++ {
		e, err := l.Append(context.Background(), sampleEntry(i))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestAppendChains(t *testing.T) {
	l, _ := openLog(t)
	ctx := context.Background()
	entries := seed(t, l, 3)
	if entries[0].Seq != 1 || entries[0].PrevHash != GenesisHash || entries[2].PrevHash != entries[1].Hash {
		t.Fatalf("bad chain: %+v", entries)
	}
	if string(entries[0].Verification) != `{"222222222222":"ok"}` {
		t.Fatalf("verification not compacted: %s", entries[0].Verification)
	}
	listed, err := l.List(ctx)
	if err != nil || len(listed) != 3 || listed[2].Hash != entries[2].Hash || !listed[1].Time.Equal(entries[1].Time) {
		t.Fatalf("List = %+v, %v", listed, err)
	}
	rep, err := l.Verify(ctx)
	if err != nil || !rep.OK() || rep.Entries != 3 || rep.Head != (Head{3, entries[2].Hash}) {
		t.Fatalf("Verify intact log = %+v, %v", rep, err)
	}
}

func TestAppendValidation(t *testing.T) {
	l, _ := openLog(t)
	tests := map[string]func(e *Entry){
		"no key":        func(e *Entry) { e.KeyARN = "" },
		"no run":        func(e *Entry) { e.RunID = "" },
		"zero outcome":  func(e *Entry) { e.Outcome = OutcomeUnknown },
		"bad json":      func(e *Entry) { e.Verification = json.RawMessage("{") },
		"bad timings":   func(e *Entry) { e.Timings = json.RawMessage("[1,") },
		"outcome range": func(e *Entry) { e.Outcome = 17 },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			e := sampleEntry(1)
			edit(&e)
			if _, err := l.Append(context.Background(), e); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Append: err = %v, want ErrInvalid", err)
			}
		})
	}
}

// TestCanonicalEncoding pins the documented encoding byte for byte.
func TestCanonicalEncoding(t *testing.T) {
	e := Entry{Seq: 7, Time: t0, Operator: "op", RunID: "r", KeyARN: "k", Strategy: "in-place",
		Verification: json.RawMessage(`{"a":1}`), Outcome: OutcomeRolledBack, PrevHash: GenesisHash}
	want := "byok-audit-v1\n" + "seq:1:7\n" + "time:30:2026-11-27T01:02:03.000000000Z\n" + "operator:2:op\n" +
		"change_ref:0:\n" + "run_id:1:r\n" + "key_arn:1:k\n" + "strategy:8:in-place\n" +
		"old_material_id:0:\n" + "new_material_id:0:\n" + "old_key_id:0:\n" + "new_key_id:0:\n" +
		"blob_sha256:0:\n" + "verification:7:{\"a\":1}\n" + "timings:0:\n" + "outcome:11:rolled-back\n" +
		"prev_hash:64:" + GenesisHash + "\n"
	if got := string(Canonical(e)); got != want {
		t.Fatalf("Canonical =\n%s\nwant\n%s", got, want)
	}
	// Length prefixes keep field boundaries unambiguous.
	a, b := e, e
	a.Operator, a.ChangeRef = "op\nchange_ref:0:", ""
	b.Operator, b.ChangeRef = "op", ""
	if ComputeHash(a) == ComputeHash(b) {
		t.Fatal("a newline in a value forged another field")
	}
}

func TestExportJSONL(t *testing.T) {
	l, _ := openLog(t)
	entries := seed(t, l, 2)
	noTimings := sampleEntry(3)
	noTimings.Timings, noTimings.Verification = json.RawMessage("null"), nil
	last, err := l.Append(context.Background(), noTimings)
	if err != nil {
		t.Fatal(err)
	}
	entries = append(entries, last)
	var buf bytes.Buffer
	if err := l.ExportJSONL(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	for i, line := range lines {
		var e Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		// An external verifier can recompute every hash from the export.
		if ComputeHash(e) != entries[i].Hash || e.Hash != entries[i].Hash || e.Outcome != OutcomeSucceeded {
			t.Fatalf("line %d does not verify: %s", i, line)
		}
	}
}
