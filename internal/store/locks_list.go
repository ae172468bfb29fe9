package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// KeyLock is one row of the local key locks: the key, the run holding it
// and that run's status, and the process holding the run (zero Holder when
// no process does: the run stopped or its process was killed and nothing
// has resumed it).
type KeyLock struct {
	KeyARN    string
	Run       RunID
	Status    RunStatus
	Acquired  time.Time
	Holder    Holder
	HasHolder bool
}

// ListKeyLocks returns the key locks of unfinished runs (a finished run's
// lock is free: AcquireKeyLock takes it over), by key ARN.
func (s *Store) ListKeyLocks(ctx context.Context) ([]KeyLock, error) {
	var out []KeyLock
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT l.key_arn, l.run_id, r.status, l.acquired,
			COALESCE(h.pid, 0), COALESCE(h.host, ''), COALESCE(h.started, ''), COALESCE(h.heartbeat, '')
			FROM key_locks l JOIN runs r ON r.id = l.run_id LEFT JOIN run_holders h ON h.run_id = l.run_id
			ORDER BY l.key_arn`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanKeyLock(rows)
			if err != nil {
				return err
			}
			if !k.Status.Finished() {
				out = append(out, k)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list key locks: %w", err)
	}
	return out, nil
}

func scanKeyLock(rows *sql.Rows) (KeyLock, error) {
	var k KeyLock
	var status, acquired, started, beat string
	if err := rows.Scan(&k.KeyARN, &k.Run, &status, &acquired, &k.Holder.PID, &k.Holder.Host, &started, &beat); err != nil {
		return k, err
	}
	var errs [4]error
	k.Status, errs[0] = ParseRunStatus(status)
	k.Acquired, errs[1] = ParseTime(acquired)
	if k.HasHolder = started != ""; k.HasHolder {
		k.Holder.Started, errs[2] = ParseTime(started)
		k.Holder.Heartbeat, errs[3] = ParseTime(beat)
	}
	return k, errors.Join(errs[:]...)
}

// ForceReleaseKeyLock frees the key whatever run holds it (the caller has
// checked that no live process holds that run). It returns the run that
// held it; ErrNotFound when the key was not locked.
func (s *Store) ForceReleaseKeyLock(ctx context.Context, keyARN string) (RunID, error) {
	var run RunID
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT run_id FROM key_locks WHERE key_arn = ?`, keyARN).Scan(&run)
		if err != nil {
			return notFound(err, "lock of "+keyARN)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM key_locks WHERE key_arn = ?`, keyARN)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("release key lock %s: %w", keyARN, err)
	}
	return run, nil
}
