package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// auditSeed writes three audit entries (two runs) and returns the path.
func auditSeed(t *testing.T) (string, []audit.Entry) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := audit.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for i, run := range []string{"r-20261127T010203Z-aaaa", "r-20261127T010203Z-aaaa", "r-20261128T010203Z-bbbb"} {
		e, err := l.Append(ctx, audit.Entry{Operator: "arn:aws:sts::111111111111:assumed-role/op/alice",
			ChangeRef: "CHG-7", RunID: run, KeyARN: fmt.Sprintf("arn:aws:kms:eu-west-1:111111111111:key/k%d", i),
			Strategy: rotation.InPlace.String(), OldMaterialID: fmt.Sprintf("old-%d", i), NewMaterialID: fmt.Sprintf("new-%d", i),
			Verification: json.RawMessage(`{"222222222222":"ok"}`), Outcome: audit.OutcomeSucceeded})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return path, out
}

func TestAuditShow(t *testing.T) {
	path, entries := auditSeed(t)
	code, out, errOut := cliRun(t, "audit", "show", "--state", path)
	if code != 0 || !strings.Contains(out, "old-1 -> new-1") || !strings.Contains(out, "CHG-7") || strings.Count(out, "succeeded") != 3 {
		t.Fatalf("table: exit %d stderr %q:\n%s", code, errOut, out)
	}
	code, out, errOut = cliRun(t, "audit", "show", "--state", path, "--format", "jsonl", "--run", "r-20261127T010203Z-aaaa")
	if code != 0 {
		t.Fatalf("jsonl: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("jsonl --run: %d lines, want 2:\n%s", len(lines), out)
	}
	var e audit.Entry
	if err := json.Unmarshal([]byte(lines[1]), &e); err != nil || e.Hash != entries[1].Hash || audit.ComputeHash(e) != e.Hash {
		t.Fatalf("jsonl line does not round-trip and verify: %v %s", err, lines[1])
	}
	code, _, errOut = cliRun(t, "audit", "show", "--state", path, "--format", "xml")
	if code != 64 || !strings.Contains(errOut, "use one of table, json, jsonl") {
		t.Fatalf("bad format: exit %d stderr %q", code, errOut)
	}
}

func TestAuditVerify(t *testing.T) {
	path, entries := auditSeed(t)
	code, out, errOut := cliRun(t, "audit", "verify", "--state", path)
	if code != 0 || !strings.Contains(out, "ok: 3 entries") || !strings.Contains(out, entries[2].Hash) {
		t.Fatalf("intact: exit %d stdout %q stderr %q", code, out, errOut)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE audit_entries SET new_material_id = 'forged' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, errOut = cliRun(t, "audit", "verify", "--state", path)
	if code != 1 || !strings.Contains(errOut, "audit entry 2: entry edited") || !strings.Contains(out, "BROKEN audit entry 2") {
		t.Fatalf("tampered: exit %d stdout %q stderr %q", code, out, errOut)
	}
}
