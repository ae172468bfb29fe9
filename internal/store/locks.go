package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AcquireKeyLock gives run the key's lock. It succeeds when the key is
// free, already held by run (a resumed run), or held by a finished run
// (Succeeded, Failed or Partial); otherwise it returns *LockedError naming the
// unfinished run. Planned, Running and Stopped runs keep their locks: they
// can still be resumed.
func (s *Store) AcquireKeyLock(ctx context.Context, keyARN string, run RunID) error {
	if keyARN == "" {
		return fmt.Errorf("acquire key lock: empty key ARN: %w", ErrInvalid)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return acquireLock(ctx, tx, keyARN, run) })
}

func acquireLock(ctx context.Context, tx *sql.Tx, keyARN string, run RunID) error {
	if err := runExists(ctx, tx, run); err != nil {
		return fmt.Errorf("acquire key lock: %w", err)
	}
	holder, status, err := lockHolder(ctx, tx, keyARN)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return fmt.Errorf("acquire key lock: %w", err)
	case holder == run:
		return nil
	case !status.Finished():
		return &LockedError{Key: keyARN, HeldBy: holder}
	}
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO key_locks(key_arn, run_id, acquired) VALUES (?, ?, ?)`,
		keyARN, run, FormatTime(time.Now()))
	if err != nil {
		return fmt.Errorf("acquire key lock %s: %w", keyARN, err)
	}
	return nil
}

// ReleaseKeyLock frees the key if run holds it. Releasing a free key is a
// no-op; releasing another run's lock is a *LockedError.
func (s *Store) ReleaseKeyLock(ctx context.Context, keyARN string, run RunID) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		holder, _, err := lockHolder(ctx, tx, keyARN)
		switch {
		case errors.Is(err, ErrNotFound):
			return nil
		case err != nil:
			return fmt.Errorf("release key lock: %w", err)
		case holder != run:
			return &LockedError{Key: keyARN, HeldBy: holder}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM key_locks WHERE key_arn = ?`, keyARN); err != nil {
			return fmt.Errorf("release key lock %s: %w", keyARN, err)
		}
		return nil
	})
}

// LockHolder returns the run holding the key's lock (which may be a
// finished run whose lock is stale), or ErrNotFound when it is free.
func (s *Store) LockHolder(ctx context.Context, keyARN string) (RunID, RunStatus, error) {
	var holder RunID
	var status RunStatus
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		holder, status, err = lockHolder(ctx, tx, keyARN)
		return err
	})
	if err != nil {
		return "", StatusUnknown, fmt.Errorf("lock holder of %s: %w", keyARN, err)
	}
	return holder, status, nil
}

func lockHolder(ctx context.Context, tx *sql.Tx, keyARN string) (RunID, RunStatus, error) {
	var holder RunID
	var status string
	err := tx.QueryRowContext(ctx, `SELECT l.run_id, r.status FROM key_locks l JOIN runs r ON r.id = l.run_id
		WHERE l.key_arn = ?`, keyARN).Scan(&holder, &status)
	if err != nil {
		return "", StatusUnknown, notFound(err, "lock")
	}
	st, err := ParseRunStatus(status)
	return holder, st, err
}

// AbandonRun ends an unfinished run for good, in one transaction: status
// Failed with errText, and every key lock it holds released. ErrNotFound
// for an unknown run; ErrInvalid for a run that already ended.
func (s *Store) AbandonRun(ctx context.Context, run RunID, errText string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM runs WHERE id = ?`, run).Scan(&status)
		if err != nil {
			return fmt.Errorf("abandon run: %w", notFound(err, "run "+string(run)))
		}
		st, err := ParseRunStatus(status)
		if err != nil {
			return fmt.Errorf("abandon run %s: %w", run, err)
		}
		if st.Finished() {
			return fmt.Errorf("abandon run %s: it already ended %s: %w", run, st, ErrInvalid)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, error = ?, updated = ? WHERE id = ?`,
			StatusFailed.String(), errText, FormatTime(time.Now()), run); err != nil {
			return fmt.Errorf("abandon run %s: %w", run, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM key_locks WHERE run_id = ?`, run); err != nil {
			return fmt.Errorf("abandon run %s: release locks: %w", run, err)
		}
		return nil
	})
}
