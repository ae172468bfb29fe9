package audit

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/byok-dev/byok/internal/store"
)

// Each case tampers with a 5-entry log through raw SQL, as someone with
// write access to the state file could, and names the entry Verify must
// report first.
func TestVerifyDetectsTampering(t *testing.T) {
	tests := map[string]struct {
		tamper   func(t *testing.T, db *sql.DB, es []Entry)
		wantKind error
		wantSeq  int64
	}{
		"edit a field": {func(t *testing.T, db *sql.DB, es []Entry) {
			exec(t, db, `UPDATE audit_entries SET new_material_id = 'forged' WHERE seq = 3`)
		}, ErrEdited, 3},
		"edit the outcome": {func(t *testing.T, db *sql.DB, es []Entry) {
			exec(t, db, `UPDATE audit_entries SET outcome = 'failed' WHERE seq = 2`)
		}, ErrEdited, 2},
		"edit and recompute hash": {func(t *testing.T, db *sql.DB, es []Entry) {
			e := es[2]
			e.Operator = "arn:aws:iam::111111111111:user/mallory"
			exec(t, db, `UPDATE audit_entries SET operator = ?, hash = ? WHERE seq = 3`, e.Operator, ComputeHash(e))
		}, ErrEdited, 3},
		"edit last and recompute hash": {func(t *testing.T, db *sql.DB, es []Entry) {
			e := es[4]
			e.ChangeRef = "CHG-999"
			exec(t, db, `UPDATE audit_entries SET change_ref = ?, hash = ? WHERE seq = 5`, e.ChangeRef, ComputeHash(e))
		}, ErrEdited, 5},
		"delete middle": {func(t *testing.T, db *sql.DB, es []Entry) {
			exec(t, db, `DELETE FROM audit_entries WHERE seq = 3`)
		}, ErrRemoved, 3},
		"delete first": {func(t *testing.T, db *sql.DB, es []Entry) {
			exec(t, db, `DELETE FROM audit_entries WHERE seq = 1`)
		}, ErrRemoved, 1},
		"delete middle and renumber": {func(t *testing.T, db *sql.DB, es []Entry) {
			exec(t, db, `DELETE FROM audit_entries WHERE seq = 3`)
			exec(t, db, `UPDATE audit_entries SET seq = seq - 1 WHERE seq > 3`)
			exec(t, db, `UPDATE audit_head SET seq = 4`)
		}, ErrRemoved, 3},
		"delete tail": {func(t *testing.T, db *sql.DB, es []Entry) {
			exec(t, db, `DELETE FROM audit_entries WHERE seq >= 4`)
		}, ErrTruncated, 4},
		"insert forged in middle": {func(t *testing.T, db *sql.DB, es []Entry) {
			shiftUp(t, db, 3)
			forged := es[2]
			forged.Seq, forged.PrevHash, forged.KeyARN = 3, es[1].Hash, "arn:aws:kms:eu-west-1:111111111111:key/forged"
			forged.Hash = ComputeHash(forged)
			insertRaw(t, db, forged)
		}, ErrInserted, 3},
		"insert junk in middle": {func(t *testing.T, db *sql.DB, es []Entry) {
			shiftUp(t, db, 2)
			junk := es[0]
			junk.Seq, junk.PrevHash, junk.Hash = 2, "feed", "beef"
			insertRaw(t, db, junk)
		}, ErrInserted, 2},
		"append after head": {func(t *testing.T, db *sql.DB, es []Entry) {
			e := es[4]
			e.Seq, e.PrevHash = 6, es[4].Hash
			e.Hash = ComputeHash(e)
			insertRaw(t, db, e)
		}, ErrInserted, 6},
		"swap two entries": {func(t *testing.T, db *sql.DB, es []Entry) {
			exec(t, db, `UPDATE audit_entries SET seq = -3 WHERE seq = 3`)
			exec(t, db, `UPDATE audit_entries SET seq = 3 WHERE seq = 4`)
			exec(t, db, `UPDATE audit_entries SET seq = 4 WHERE seq = -3`)
		}, ErrReordered, 3},
		"head removed": {func(t *testing.T, db *sql.DB, es []Entry) {
			exec(t, db, `DELETE FROM audit_head`)
		}, ErrHeadMismatch, 5},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			l, st := openLog(t)
			es := seed(t, l, 5)
			tc.tamper(t, st.DB(), es)
			rep, err := l.Verify(context.Background())
			var be *BreakError
			if !errors.As(err, &be) || !errors.Is(err, tc.wantKind) || be.Seq != tc.wantSeq {
				t.Fatalf("Verify: err = %v, want %v at seq %d (report %+v)", err, tc.wantKind, tc.wantSeq, rep.Problems)
			}
			if rep.OK() || rep.First() != be {
				t.Fatalf("report %+v does not lead with the returned error", rep)
			}
		})
	}
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// shiftUp moves entries from seq on one place up (via negative seqs, to
// keep the primary key unique while moving).
func shiftUp(t *testing.T, db *sql.DB, from int64) {
	exec(t, db, `UPDATE audit_entries SET seq = -(seq + 1) WHERE seq >= ?`, from)
	exec(t, db, `UPDATE audit_entries SET seq = -seq WHERE seq < 0`)
	exec(t, db, `UPDATE audit_head SET seq = seq + 1`)
}

func insertRaw(t *testing.T, db *sql.DB, e Entry) {
	t.Helper()
	exec(t, db, `INSERT INTO audit_entries(seq, time, operator, change_ref, run_id, key_arn, strategy,
		old_material_id, new_material_id, old_key_id, new_key_id, blob_sha256, verification, timings,
		outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, store.FormatTime(e.Time), e.Operator, e.ChangeRef, e.RunID, e.KeyARN, e.Strategy,
		e.OldMaterialID, e.NewMaterialID, e.OldKeyID, e.NewKeyID, e.BlobSHA256, string(e.Verification),
		string(e.Timings), e.Outcome.String(), e.PrevHash, e.Hash)
}
