package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Holder is the process working on a run: at most one at a time.
type Holder struct {
	PID       int
	Host      string
	Started   time.Time
	Heartbeat time.Time
}

// ErrHeld: another live process works on the run; see HeldError.
var ErrHeld = errors.New("run is held by another process")

// HeldError names the process holding a run and, when it stopped
// heartbeating, says it is stale and how to take over.
type HeldError struct {
	Run    RunID
	Holder Holder
	Stale  bool
}

func (e *HeldError) Error() string {
	s := fmt.Sprintf("run %s is held by process %d on %s (since %s, last heartbeat %s)", e.Run, e.Holder.PID,
		e.Holder.Host, FormatTime(e.Holder.Started), FormatTime(e.Holder.Heartbeat))
	if e.Stale {
		return s + "; it stopped heartbeating: if that process is gone, take over with: byok resume --take-over " + e.Run.String()
	}
	return s + "; wait for it to finish (byok runs show " + e.Run.String() + ")"
}

// Unwrap lets errors.Is(err, ErrHeld) match.
func (e *HeldError) Unwrap() error { return ErrHeld }

// ClaimRun makes me the run's holder, in one transaction. It succeeds when
// the run has no holder, when me already holds it (same PID and host), or
// when the holder is gone: alive reports false for it (same host, process
// not running), or takeOver is set and its heartbeat is older than
// staleAfter. Otherwise it returns *HeldError.
func (s *Store) ClaimRun(ctx context.Context, run RunID, me Holder, staleAfter time.Duration, takeOver bool, alive func(Holder) bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := runExists(ctx, tx, run); err != nil {
			return fmt.Errorf("claim run: %w", err)
		}
		h, err := getHolder(ctx, tx, run)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return fmt.Errorf("claim run %s: %w", run, err)
		case h.PID == me.PID && h.Host == me.Host:
		case !alive(h):
		default:
			stale := time.Since(h.Heartbeat) > staleAfter
			if !stale || !takeOver {
				return &HeldError{Run: run, Holder: h, Stale: stale}
			}
		}
		now := FormatTime(time.Now())
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO run_holders(run_id, pid, host, started, heartbeat)
			VALUES (?, ?, ?, ?, ?)`, run, me.PID, me.Host, now, now)
		if err != nil {
			return fmt.Errorf("claim run %s: %w", run, err)
		}
		return nil
	})
}

// Heartbeat records that me still works on the run; *HeldError when
// another process took it over.
func (s *Store) Heartbeat(ctx context.Context, run RunID, me Holder) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		h, err := getHolder(ctx, tx, run)
		if err != nil {
			return fmt.Errorf("heartbeat %s: %w", run, err)
		}
		if h.PID != me.PID || h.Host != me.Host {
			return &HeldError{Run: run, Holder: h}
		}
		_, err = tx.ExecContext(ctx, `UPDATE run_holders SET heartbeat = ? WHERE run_id = ?`, FormatTime(time.Now()), run)
		return err
	})
}

// ReleaseRun drops me as the run's holder (no-op when another holds it).
func (s *Store) ReleaseRun(ctx context.Context, run RunID, me Holder) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM run_holders WHERE run_id = ? AND pid = ? AND host = ?`, run, me.PID, me.Host)
	if err != nil {
		return fmt.Errorf("release run %s: %w", run, err)
	}
	return nil
}

// RunHolder returns the run's holder, or ErrNotFound.
func (s *Store) RunHolder(ctx context.Context, run RunID) (Holder, error) {
	var h Holder
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		h, err = getHolder(ctx, tx, run)
		return err
	})
	return h, err
}

func getHolder(ctx context.Context, tx *sql.Tx, run RunID) (Holder, error) {
	var h Holder
	var started, beat string
	err := tx.QueryRowContext(ctx, `SELECT pid, host, started, heartbeat FROM run_holders WHERE run_id = ?`, run).
		Scan(&h.PID, &h.Host, &started, &beat)
	if err != nil {
		return Holder{}, notFound(err, "holder of run "+string(run))
	}
	var errs [2]error
	h.Started, errs[0] = ParseTime(started)
	h.Heartbeat, errs[1] = ParseTime(beat)
	return h, errors.Join(errs[:]...)
}
