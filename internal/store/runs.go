package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Run is one invocation of byok rotate over one or more keys.
type Run struct {
	ID        RunID
	Strategy  string // the name of the rotation package's Strategy; the store does not judge it
	ChangeRef string // operator's change reference, may be empty
	Operator  string // caller ARN (sts GetCallerIdentity)
	Created   time.Time
	Updated   time.Time
	Status    RunStatus
	Error     string // why the run failed or stopped; never a secret
	DryRun    bool
	// Selector is how the operator chose the keys (the engine's JSON
	// encoding of the command's selection); "" for runs before requests.
	Selector string
	// Target is the run this run acts on (a rollback names the run it
	// undoes); "" for a rotation.
	Target RunID
}

func (r Run) validate() error {
	if _, err := ParseRunID(string(r.ID)); err != nil {
		return err
	}
	if r.Strategy == "" {
		return fmt.Errorf("run %s: empty strategy: %w", r.ID, ErrInvalid)
	}
	if _, err := ParseRunStatus(r.Status.String()); err != nil {
		return err
	}
	return nil
}

// CreateRun records a new run. Created defaults to now; ErrExists if the ID
// is taken.
func (s *Store) CreateRun(ctx context.Context, r Run) error {
	if err := r.validate(); err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	if r.Created.IsZero() {
		r.Created = time.Now()
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return insertRun(ctx, tx, r) })
}

func insertRun(ctx context.Context, tx *sql.Tx, r Run) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE id = ?`, r.ID).Scan(&n); err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("create run %s: %w", r.ID, ErrExists)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO runs(id, strategy, change_ref, operator, created, updated,
		status, error, dry_run, selector, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Strategy, r.ChangeRef, r.Operator, FormatTime(r.Created), FormatTime(r.Created),
		r.Status.String(), r.Error, r.DryRun, r.Selector, r.Target)
	if err != nil {
		return fmt.Errorf("create run %s: %w", r.ID, err)
	}
	return nil
}

const runColumns = `id, strategy, change_ref, operator, created, updated, status, error, dry_run, selector, target`

// GetRun returns one run or ErrNotFound.
func (s *Store) GetRun(ctx context.Context, id RunID) (Run, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id)
	r, err := scanRun(row)
	if err != nil {
		return Run{}, notFound(err, "run "+string(id))
	}
	return r, nil
}

// ListRuns returns every run, newest first.
func (s *Store) ListRuns(ctx context.Context) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// SetRunStatus moves a run to status, recording errText ("" clears it).
func (s *Store) SetRunStatus(ctx context.Context, id RunID, status RunStatus, errText string) error {
	if _, err := ParseRunStatus(status.String()); err != nil {
		return fmt.Errorf("set run status: %w", err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET status = ?, error = ?, updated = ? WHERE id = ?`,
		status.String(), errText, FormatTime(time.Now()), id)
	if err != nil {
		return fmt.Errorf("set run %s status: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set run %s status: %w", id, ErrNotFound)
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRun(sc scanner) (Run, error) {
	var r Run
	var created, updated, status string
	err := sc.Scan(&r.ID, &r.Strategy, &r.ChangeRef, &r.Operator, &created, &updated, &status, &r.Error, &r.DryRun, &r.Selector, &r.Target)
	if err != nil {
		return Run{}, err
	}
	var errs [3]error
	r.Created, errs[0] = ParseTime(created)
	r.Updated, errs[1] = ParseTime(updated)
	r.Status, errs[2] = ParseRunStatus(status)
	if err := errors.Join(errs[:]...); err != nil {
		return Run{}, fmt.Errorf("run %s: %w", r.ID, err)
	}
	return r, nil
}
