package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Event is one journal record: a step of one key of one run began, ended
// or failed. Detail is the caller's JSON: by convention the state before
// the step on "begin" and the state after it on "end" (never secrets).
type Event struct {
	Seq    int64
	RunID  RunID
	KeyARN string
	Step   Step
	Phase  Phase
	Time   time.Time
	Detail json.RawMessage
}

// BeginStep journals that step starts for the key and makes it the key's
// current step. Beginning the step that is already open is allowed (a
// resumed run re-examining it); beginning another while one is open is a
// *StepError wrapping ErrStepOpen. The event is on disk when this returns.
func (s *Store) BeginStep(ctx context.Context, run RunID, keyARN string, step Step, detail any) error {
	return s.journal(ctx, run, keyARN, step, PhaseBegin, detail, "")
}

// EndStep journals that the open step finished; detail is the state after
// it. A step that is not open is a *StepError wrapping ErrStepNotBegun.
func (s *Store) EndStep(ctx context.Context, run RunID, keyARN string, step Step, detail any) error {
	return s.journal(ctx, run, keyARN, step, PhaseEnd, detail, "")
}

// FailStep journals that the open step failed and records errText (a
// human message, never a secret) as the key's error.
func (s *Store) FailStep(ctx context.Context, run RunID, keyARN string, step Step, errText string, detail any) error {
	return s.journal(ctx, run, keyARN, step, PhaseFail, detail, errText)
}

func (s *Store) journal(ctx context.Context, run RunID, keyARN string, step Step, ph Phase, detail any, errText string) error {
	if _, err := ParseStep(step.String()); err != nil {
		return fmt.Errorf("journal %s: %w", ph, err)
	}
	doc, err := marshalDetail(detail)
	if err != nil {
		return fmt.Errorf("journal %s %s: %w", step, ph, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := getRunKey(ctx, tx, run, keyARN); err != nil {
			return fmt.Errorf("journal %s %s: %w", step, ph, err)
		}
		last, lastPh, err := lastStep(ctx, tx, run, keyARN)
		if err != nil {
			return fmt.Errorf("journal %s %s: %w", step, ph, err)
		}
		if err := checkTransition(last, lastPh, step, ph); err != nil {
			return &StepError{Run: run, Key: keyARN, Step: step, Open: openStep(last, lastPh), Err: err}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO journal(run_id, key_arn, step, phase, at, detail)
			VALUES (?, ?, ?, ?, ?, ?)`, run, keyARN, step.String(), ph.String(), FormatTime(time.Now()), doc)
		if err != nil {
			return fmt.Errorf("journal %s %s: %w", step, ph, err)
		}
		return updateKeyStep(ctx, tx, run, keyARN, step, ph, errText)
	})
}

// checkTransition enforces one open step per key at a time.
func checkTransition(last Step, lastPh Phase, step Step, ph Phase) error {
	open := openStep(last, lastPh)
	switch {
	case ph == PhaseBegin && open != StepUnknown && open != step:
		return ErrStepOpen
	case ph != PhaseBegin && open != step:
		return ErrStepNotBegun
	}
	return nil
}

func openStep(last Step, lastPh Phase) Step {
	if lastPh == PhaseBegin {
		return last
	}
	return StepUnknown
}

func updateKeyStep(ctx context.Context, tx *sql.Tx, run RunID, keyARN string, step Step, ph Phase, errText string) error {
	var err error
	switch ph {
	case PhaseBegin:
		_, err = tx.ExecContext(ctx, `UPDATE run_keys SET step = ?, updated = ? WHERE run_id = ? AND key_arn = ?`,
			step.String(), FormatTime(time.Now()), run, keyARN)
	case PhaseFail:
		_, err = tx.ExecContext(ctx, `UPDATE run_keys SET error = ?, updated = ? WHERE run_id = ? AND key_arn = ?`,
			errText, FormatTime(time.Now()), run, keyARN)
	}
	if err != nil {
		return fmt.Errorf("journal: update key step: %w", err)
	}
	return nil
}

func marshalDetail(detail any) (string, error) {
	if detail == nil {
		return "{}", nil
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return "", fmt.Errorf("detail: %w: %v", ErrInvalid, err)
	}
	return string(b), nil
}

// LastStep is the key's latest journal event: a step left in PhaseBegin was
// interrupted and must be re-examined idempotently before it is ended.
// A key with no event yet gives (StepUnknown, PhaseUnknown, nil); an
// unknown run or key gives ErrNotFound.
func (s *Store) LastStep(ctx context.Context, run RunID, keyARN string) (Step, Phase, error) {
	var step Step
	var ph Phase
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		if _, err := getRunKey(ctx, tx, run, keyARN); err != nil {
			return err
		}
		var err error
		step, ph, err = lastStep(ctx, tx, run, keyARN)
		return err
	})
	if err != nil {
		return StepUnknown, PhaseUnknown, fmt.Errorf("last step: %w", err)
	}
	return step, ph, nil
}

func lastStep(ctx context.Context, tx *sql.Tx, run RunID, keyARN string) (Step, Phase, error) {
	var step, ph string
	err := tx.QueryRowContext(ctx, `SELECT step, phase FROM journal WHERE run_id = ? AND key_arn = ?
		ORDER BY seq DESC LIMIT 1`, run, keyARN).Scan(&step, &ph)
	if errors.Is(err, sql.ErrNoRows) {
		return StepUnknown, PhaseUnknown, nil
	}
	if err != nil {
		return StepUnknown, PhaseUnknown, err
	}
	st, err1 := ParseStep(step)
	p, err2 := ParsePhase(ph)
	return st, p, errors.Join(err1, err2)
}

// Journal returns every event of a run in the order written.
func (s *Store) Journal(ctx context.Context, run RunID) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, run_id, key_arn, step, phase, at, detail FROM journal
		WHERE run_id = ? ORDER BY seq`, run)
	if err != nil {
		return nil, fmt.Errorf("journal of %s: %w", run, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("journal of %s: %w", run, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal of %s: %w", run, err)
	}
	return out, nil
}

func scanEvent(sc scanner) (Event, error) {
	var e Event
	var step, ph, at, detail string
	if err := sc.Scan(&e.Seq, &e.RunID, &e.KeyARN, &step, &ph, &at, &detail); err != nil {
		return Event{}, err
	}
	var errs [3]error
	e.Step, errs[0] = ParseStep(step)
	e.Phase, errs[1] = ParsePhase(ph)
	e.Time, errs[2] = ParseTime(at)
	e.Detail = json.RawMessage(detail)
	return e, errors.Join(errs[:]...)
}
