package audit

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/byok-dev/byok/internal/store"
)

// Each case damages a 5-entry log and/or its head file the way a crash, a
// careless operator or an attacker with the file would, and names the
// error Verify must report first (nil: the log must verify).
func TestVerifyHeadFile(t *testing.T) {
	tests := map[string]struct {
		damage  func(t *testing.T, l *Log, db *sql.DB, es []Entry)
		want    error
		wantSeq int64
	}{
		"intact": {func(t *testing.T, l *Log, db *sql.DB, es []Entry) {}, nil, 0},
		"delete tail and head row": {func(t *testing.T, l *Log, db *sql.DB, es []Entry) {
			exec(t, db, `DELETE FROM audit_entries WHERE seq >= 4`)
			exec(t, db, `UPDATE audit_head SET seq = 3, hash = ?`, es[2].Hash)
		}, ErrTruncated, 4},
		"delete every entry and the head row": {func(t *testing.T, l *Log, db *sql.DB, es []Entry) {
			exec(t, db, `DELETE FROM audit_entries`)
			exec(t, db, `DELETE FROM audit_head`)
		}, ErrTruncated, 1},
		"rewrite the last entry, its hash and the head row": {func(t *testing.T, l *Log, db *sql.DB, es []Entry) {
			e := es[4]
			e.NewMaterialID = "forged"
			e.Hash = ComputeHash(e)
			exec(t, db, `UPDATE audit_entries SET new_material_id = ?, hash = ? WHERE seq = 5`, e.NewMaterialID, e.Hash)
			exec(t, db, `UPDATE audit_head SET hash = ?`, e.Hash)
		}, ErrHeadMismatch, 5},
		"append a forged entry and move the head row": {func(t *testing.T, l *Log, db *sql.DB, es []Entry) {
			f := es[4]
			f.Seq, f.PrevHash, f.KeyARN = 6, es[4].Hash, "arn:aws:kms:eu-west-1:111111111111:key/forged"
			f.Hash = ComputeHash(f)
			insertRaw(t, db, f)
			exec(t, db, `UPDATE audit_head SET seq = 6, hash = ?`, f.Hash)
		}, ErrInserted, 6},
		"head file deleted": {func(t *testing.T, l *Log, db *sql.DB, es []Entry) {
			if err := os.Remove(l.HeadFile()); err != nil {
				t.Fatal(err)
			}
		}, ErrHeadFileMissing, 5},
		"head file damaged": {func(t *testing.T, l *Log, db *sql.DB, es []Entry) {
			writeRaw(t, l.HeadFile(), "{\"version\":1,\"seq\":")
		}, ErrHeadMismatch, 0},
		"killed after the commit, before the confirming write": {func(t *testing.T, l *Log, db *sql.DB, es []Entry) {
			if err := writeHeadFile(l.HeadFile(), headFile{Seq: 4, Hash: es[3].Hash, Pending: &Head{Seq: 5, Hash: es[4].Hash}}); err != nil {
				t.Fatal(err)
			}
		}, nil, 0},
		"killed before the commit": {func(t *testing.T, l *Log, db *sql.DB, es []Entry) {
			if err := writeHeadFile(l.HeadFile(), headFile{Seq: 5, Hash: es[4].Hash, Pending: &Head{Seq: 6, Hash: "ff"}}); err != nil {
				t.Fatal(err)
			}
		}, nil, 0},
		"pending names the deleted last entry": {func(t *testing.T, l *Log, db *sql.DB, es []Entry) {
			if err := writeHeadFile(l.HeadFile(), headFile{Seq: 5, Hash: es[4].Hash, Pending: &Head{Seq: 6, Hash: "ff"}}); err != nil {
				t.Fatal(err)
			}
			exec(t, db, `DELETE FROM audit_entries WHERE seq = 5`)
			exec(t, db, `UPDATE audit_head SET seq = 4, hash = ?`, es[3].Hash)
		}, ErrTruncated, 5},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			l, st := openLog(t)
			es := seed(t, l, 5)
			tc.damage(t, l, st.DB(), es)
			rep, err := l.Verify(context.Background())
			if tc.want == nil {
				if err != nil || !rep.OK() {
					t.Fatalf("Verify: %v (report %v)", err, rep.Problems)
				}
				return
			}
			var be *BreakError
			if !errors.Is(err, tc.want) || !errors.As(err, &be) || be.Seq != tc.wantSeq {
				t.Fatalf("Verify: err = %v, want %v at seq %d", err, tc.want, tc.wantSeq)
			}
		})
	}
}

func writeRaw(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestHeadFileWrittenOnEveryAppend: after each entry the head file names
// it, and no temporary file is left.
func TestHeadFileWrittenOnEveryAppend(t *testing.T) {
	l, st := openLog(t)
	if _, ok, _ := readHeadFile(l.HeadFile()); ok {
		t.Fatal("head file exists before the first entry")
	}
	for i := 1; i <= 3; i++ {
		e, err := l.Append(context.Background(), sampleEntry(i))
		if err != nil {
			t.Fatal(err)
		}
		h, ok, err := readHeadFile(l.HeadFile())
		if err != nil || !ok || h.Seq != e.Seq || h.Hash != e.Hash || h.Pending != nil {
			t.Fatalf("after entry %d: head file %+v ok=%v err=%v", e.Seq, h, ok, err)
		}
	}
	ents, _ := os.ReadDir(filepath.Dir(st.Path()))
	for _, e := range ents {
		if n := e.Name(); n != "state.db" && n != "state.db-wal" && n != "state.db-shm" && n != "state.db"+HeadFileSuffix {
			t.Errorf("left behind: %s", n)
		}
	}
}

// TestReplacedStateRefusedBeforeWork: a new state file beside the head file
// of a deleted one is refused by a writing Open, before anything appends.
func TestReplacedStateRefusedBeforeWork(t *testing.T) {
	ctx := context.Background()
	l, st := openLog(t)
	seed(t, l, 2)
	path := st.Path()
	st.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	st2, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if _, err := Open(ctx, st2); !errors.Is(err, ErrTruncated) {
		t.Fatalf("Open on a replaced state: err = %v, want ErrTruncated", err)
	}
}

// TestVerifyCrossChecksRuns: a succeeded run whose entries are gone (the
// whole log and head file deleted, so the chain itself looks fine) is
// caught; failed and dry runs need no entry.
func TestVerifyCrossChecksRuns(t *testing.T) {
	ctx := context.Background()
	l, st := openLog(t)
	keyARN := "arn:aws:kms:eu-west-1:111111111111:key/k1"
	mkRun := func(id string, status store.RunStatus, dry bool) store.RunID {
		rid := store.RunID(id)
		if err := st.CreateRun(ctx, store.Run{ID: rid, Strategy: "in-place", Status: store.StatusRunning, DryRun: dry}); err != nil {
			t.Fatal(err)
		}
		if err := st.AddRunKey(ctx, rid, keyARN); err != nil {
			t.Fatal(err)
		}
		if err := st.SetRunStatus(ctx, rid, status, ""); err != nil {
			t.Fatal(err)
		}
		return rid
	}
	mkRun("r-20261127T010203Z-aaaa", store.StatusFailed, false)
	mkRun("r-20261127T010204Z-bbbb", store.StatusSucceeded, true)
	ok := mkRun("r-20261127T010205Z-cccc", store.StatusSucceeded, false)
	e := sampleEntry(1)
	e.RunID, e.KeyARN = ok.String(), keyARN
	if _, err := l.Append(ctx, e); err != nil {
		t.Fatal(err)
	}
	if rep, err := l.Verify(ctx); err != nil || len(rep.Gaps) != 0 {
		t.Fatalf("intact: %v, gaps %v", err, rep.Gaps)
	}
	exec(t, st.DB(), `DELETE FROM audit_entries`)
	exec(t, st.DB(), `DELETE FROM audit_head`)
	os.Remove(l.HeadFile())
	rep, err := l.Verify(ctx)
	var ge *GapError
	if !errors.Is(err, ErrUnaudited) || !errors.As(err, &ge) || ge.Run != ok.String() || ge.Key != keyARN || len(rep.Gaps) != 1 {
		t.Fatalf("Verify: err = %v, gaps %v; want ErrUnaudited for %s only", err, rep.Gaps, ok)
	}
}

// TestReadOnlyLog: a read-only store without audit tables reads as an
// empty log; Append refuses.
func TestReadOnlyLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	ro, err := store.OpenMode(ctx, path, store.ModeRead)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	l, err := Open(ctx, ro)
	if err != nil {
		t.Fatalf("Open read-only without audit tables: %v", err)
	}
	if rep, err := l.Verify(ctx); err != nil || rep.Entries != 0 {
		t.Fatalf("Verify: %v, %d entries", err, rep.Entries)
	}
	if _, err := l.Append(ctx, sampleEntry(1)); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Append read-only: err = %v, want ErrReadOnly", err)
	}
}

// TestDroppedAuditTables: the audit tables dropped from the state file
// altogether (read-only open: an absent log) still fail against the head file.
func TestDroppedAuditTables(t *testing.T) {
	ctx := context.Background()
	l, st := openLog(t)
	seed(t, l, 3)
	exec(t, st.DB(), `DROP TABLE audit_entries; DROP TABLE audit_head; DELETE FROM schema_version WHERE component = 'audit'`)
	path := st.Path()
	st.Close()
	ro, err := store.OpenMode(ctx, path, store.ModeRead)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	l2, err := Open(ctx, ro)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l2.Verify(ctx); !errors.Is(err, ErrTruncated) {
		t.Fatalf("Verify: err = %v, want ErrTruncated", err)
	}
}

// TestCheckOrphanHead: a deleted state file whose head file remains is not
// silently started afresh; a fresh directory is fine.
func TestCheckOrphanHead(t *testing.T) {
	l, st := openLog(t)
	path := st.Path()
	if err := CheckOrphanHead(path); err != nil {
		t.Fatalf("existing state: %v", err)
	}
	if err := CheckOrphanHead(filepath.Join(t.TempDir(), "state.db")); err != nil {
		t.Fatalf("fresh directory: %v", err)
	}
	seed(t, l, 1)
	st.Close()
	os.Remove(path)
	if err := CheckOrphanHead(path); !errors.Is(err, ErrTruncated) {
		t.Fatalf("deleted state with head file: err = %v, want ErrTruncated", err)
	}
}
