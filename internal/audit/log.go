package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

// migrations are the audit tables, registered with store.Migrate under
// component "audit". audit_head has exactly one row (id 1) once anything
// was appended: the last seq and its hash, updated in the same transaction.
var migrations = []string{
	`CREATE TABLE audit_entries (
		seq             INTEGER PRIMARY KEY,
		time            TEXT NOT NULL,
		operator        TEXT NOT NULL,
		change_ref      TEXT NOT NULL,
		run_id          TEXT NOT NULL,
		key_arn         TEXT NOT NULL,
		strategy        TEXT NOT NULL,
		old_material_id TEXT NOT NULL,
		new_material_id TEXT NOT NULL,
		old_key_id      TEXT NOT NULL,
		new_key_id      TEXT NOT NULL,
		blob_sha256     TEXT NOT NULL,
		verification    TEXT NOT NULL,
		timings         TEXT NOT NULL,
		outcome         TEXT NOT NULL,
		prev_hash       TEXT NOT NULL,
		hash            TEXT NOT NULL
	);
	CREATE TABLE audit_head (
		id   INTEGER PRIMARY KEY CHECK (id = 1),
		seq  INTEGER NOT NULL,
		hash TEXT NOT NULL
	);`,
}

// Log is the audit log in one state file.
type Log struct {
	db       *sql.DB
	st       *store.Store
	headPath string // the head file beside the state file (HeadPath)
	readOnly bool   // the store was opened read-only: Append refuses
	absent   bool   // read-only and the audit tables were never created: empty
}

// Open prepares the audit tables in st and returns the log. On a writable
// store it refuses, before any work, a log whose head disagrees with the
// head file beside the state file (a replaced, truncated or rewritten
// state file): appending to it would bury the evidence.
func Open(ctx context.Context, st *store.Store) (*Log, error) {
	l := &Log{db: st.DB(), st: st, headPath: HeadPath(st.Path()), readOnly: st.ReadOnly()}
	err := st.Migrate(ctx, "audit", migrations)
	switch {
	case errors.Is(err, store.ErrSchemaMissing) && l.readOnly:
		l.absent = true
	case err != nil:
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	if !l.readOnly {
		if err := l.checkHeadFile(ctx); err != nil {
			if errors.Is(err, ErrHeadFileMissing) {
				return nil, fmt.Errorf("open audit log of %s: %w; if this state file predates head files, run byok audit adopt-head --state %s once (or point --state / %s at the right state file)",
					st.Path(), err, st.Path(), store.EnvStatePath)
			}
			return nil, fmt.Errorf("open audit log of %s: %w; run byok audit verify --state %s for details (restore the state file that matches %s, or point --state / %s at it)",
				st.Path(), err, st.Path(), l.headPath, store.EnvStatePath)
		}
	}
	return l, nil
}

// checkHeadFile compares the last stored entry with the head file.
func (l *Log) checkHeadFile(ctx context.Context) error {
	head := Head{Hash: GenesisHash}
	err := l.db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1`).Scan(&head.Seq, &head.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read last entry: %w", err)
	}
	f, ok, err := readHeadFile(l.headPath)
	if err != nil {
		return err
	}
	if p := checkHeadFile(l.headPath, head, f, ok); p != nil {
		return p
	}
	return nil
}

// HeadFile is the path of the head file beside the state file.
func (l *Log) HeadFile() string { return l.headPath }

// Append chains e after the head record and stores it durably; it returns
// e with Seq, Time (now when zero), PrevHash and Hash set.
func (l *Log) Append(ctx context.Context, e Entry) (Entry, error) {
	if l.readOnly {
		return Entry{}, fmt.Errorf("audit append: %w", ErrReadOnly)
	}
	if err := prepare(&e); err != nil {
		return Entry{}, fmt.Errorf("audit append: %w", err)
	}
	tx, err := l.db.BeginTx(ctx, nil) // IMMEDIATE: the head is read and written under the write lock
	if err != nil {
		return Entry{}, fmt.Errorf("audit append: %w", err)
	}
	defer tx.Rollback()
	head, err := readHead(ctx, tx)
	if err != nil {
		return Entry{}, fmt.Errorf("audit append: %w", err)
	}
	e.Seq, e.PrevHash = head.Seq+1, head.Hash
	e.Hash = ComputeHash(e)
	if err := insertEntry(ctx, tx, e); err != nil {
		return Entry{}, fmt.Errorf("audit append: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_head(id, seq, hash) VALUES (1, ?, ?)
		ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, e.Seq, e.Hash)
	if err != nil {
		return Entry{}, fmt.Errorf("audit append: head: %w", err)
	}
	// The head file names the entry being committed before the commit, and
	// confirms it after; see headFile.
	pending := Head{Seq: e.Seq, Hash: e.Hash}
	if err := writeHeadFile(l.headPath, headFile{Seq: head.Seq, Hash: head.Hash, Pending: &pending}); err != nil {
		return Entry{}, fmt.Errorf("audit append: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Entry{}, fmt.Errorf("audit append: commit: %w", err)
	}
	l.confirmHead(ctx, pending)
	return e, nil
}

// confirmHead rewrites the head file without its pending part, under the
// write lock so a later Append by another process is never overwritten by
// this older head. A failure leaves the pending form, which still verifies.
func (l *Log) confirmHead(ctx context.Context, h Head) {
	tx, err := l.db.BeginTx(ctx, nil) // IMMEDIATE: the write lock
	if err != nil {
		return
	}
	defer tx.Rollback()
	if cur, err := readHead(ctx, tx); err == nil && cur == h {
		_ = writeHeadFile(l.headPath, headFile{Seq: h.Seq, Hash: h.Hash})
	}
}

func prepare(e *Entry) error {
	if e.KeyARN == "" || e.RunID == "" {
		return fmt.Errorf("entry needs a key ARN and a run ID: %w", ErrInvalid)
	}
	if _, err := ParseOutcome(e.Outcome.String()); err != nil {
		return err
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	t, err := store.ParseTime(store.FormatTime(e.Time)) // the precision and zone that are stored
	if err != nil {
		return err
	}
	e.Time = t
	if e.Verification, err = compactJSON("verification", e.Verification); err != nil {
		return err
	}
	e.Timings, err = compactJSON("timings", e.Timings)
	return err
}

// Head is the head record: the last appended seq and its hash.
type Head struct {
	Seq  int64
	Hash string
}

func readHead(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (Head, error) {
	var h Head
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return Head{Hash: GenesisHash}, nil
	}
	if err != nil {
		return Head{}, fmt.Errorf("read head: %w", err)
	}
	return h, nil
}

func insertEntry(ctx context.Context, tx *sql.Tx, e Entry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_entries(seq, time, operator, change_ref, run_id, key_arn,
		strategy, old_material_id, new_material_id, old_key_id, new_key_id, blob_sha256, verification,
		timings, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, store.FormatTime(e.Time), e.Operator, e.ChangeRef, e.RunID, e.KeyARN, e.Strategy,
		e.OldMaterialID, e.NewMaterialID, e.OldKeyID, e.NewKeyID, e.BlobSHA256, string(e.Verification),
		string(e.Timings), e.Outcome.String(), e.PrevHash, e.Hash)
	return err
}

// List returns every entry in seq order, as stored (not verified).
func (l *Log) List(ctx context.Context) ([]Entry, error) {
	if l.absent {
		return nil, nil
	}
	rows, err := l.db.QueryContext(ctx, `SELECT seq, time, operator, change_ref, run_id, key_arn, strategy,
		old_material_id, new_material_id, old_key_id, new_key_id, blob_sha256, verification, timings,
		outcome, prev_hash, hash FROM audit_entries ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("audit list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("audit list: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit list: %w", err)
	}
	return out, nil
}

func scanEntry(rows *sql.Rows) (Entry, error) {
	var e Entry
	var at, verification, timings, outcome string
	err := rows.Scan(&e.Seq, &at, &e.Operator, &e.ChangeRef, &e.RunID, &e.KeyARN, &e.Strategy,
		&e.OldMaterialID, &e.NewMaterialID, &e.OldKeyID, &e.NewKeyID, &e.BlobSHA256, &verification,
		&timings, &outcome, &e.PrevHash, &e.Hash)
	if err != nil {
		return Entry{}, err
	}
	if verification != "" {
		e.Verification = json.RawMessage(verification)
	}
	if timings != "" {
		e.Timings = json.RawMessage(timings)
	}
	// An unreadable time or outcome is left zero rather than failing the
	// read: the canonical encoding then differs from what was hashed, so
	// Verify names the entry as edited.
	e.Time, _ = store.ParseTime(at)
	e.Outcome, _ = ParseOutcome(outcome)
	return e, nil
}

// ExportJSONL writes every entry as one JSON object per line, seq order.
func (l *Log) ExportJSONL(ctx context.Context, w io.Writer) error {
	entries, err := l.List(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
	}
	return nil
}
