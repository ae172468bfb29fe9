package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Admission is where one requested key of a run is. The zero value is
// invalid.
type Admission int

// Admissions. A key is Pending from the moment the request is recorded
// until the engine has planned it; then Admitted (it has a run key and its
// lock), Refused (with the reason: it will not be rotated by this run) or
// Skipped (the selector did not need it, e.g. --due and the key is not due).
const (
	AdmissionUnknown Admission = iota
	AdmissionPending
	AdmissionAdmitted
	AdmissionRefused
	AdmissionSkipped
)

var admissionNames = [...]string{"", "pending", "admitted", "refused", "skipped"}

func (a Admission) String() string {
	if a <= AdmissionUnknown || int(a) >= len(admissionNames) {
		return fmt.Sprintf("Admission(%d)", int(a))
	}
	return admissionNames[a]
}

// ParseAdmission reads a name written by String.
func ParseAdmission(name string) (Admission, error) {
	for i := AdmissionPending; int(i) < len(admissionNames); i++ {
		if admissionNames[i] == name {
			return i, nil
		}
	}
	return AdmissionUnknown, fmt.Errorf("admission %q: %w", name, ErrInvalid)
}

// RequestKey is one key a run was asked to rotate, named as the estate
// names it (alias and Region), with its admission.
type RequestKey struct {
	RunID     RunID
	Alias     string
	Region    string
	Admission Admission
	// Reason says why a key was refused or skipped, or what an admitted
	// key leaves for later (written with the request); never a secret.
	Reason string
	KeyARN string // set once admitted (or refused after the key was resolved)
	// MaterialID and HSMLabel name the material a re-import request is for
	// (empty for rotations); admission copies them to the run key.
	MaterialID string
	HSMLabel   string
	// Strategy is the name of the procedure this key follows in the run
	// ("" = the run's strategy); admission copies it to the run key.
	Strategy string
	// NewKeyID names the key a rollback request moves the alias away from
	// (empty otherwise); admission copies it to the run key.
	NewKeyID string
	Updated  time.Time
}

// CreateRunWithRequest records run and every requested key (Pending) in
// one transaction: after a crash the store has either nothing or the whole
// request, never a part of it.
func (s *Store) CreateRunWithRequest(ctx context.Context, r Run, keys []RequestKey) error {
	if err := r.validate(); err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	if len(keys) == 0 {
		return fmt.Errorf("create run %s: no key requested: %w", r.ID, ErrInvalid)
	}
	if r.Created.IsZero() {
		r.Created = time.Now()
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := insertRun(ctx, tx, r); err != nil {
			return err
		}
		for _, k := range keys {
			if k.Alias == "" || k.Region == "" {
				return fmt.Errorf("create run %s: requested key without alias or Region: %w", r.ID, ErrInvalid)
			}
			strategy := k.Strategy
			if strategy == "" {
				strategy = r.Strategy
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO run_requests(run_id, alias, region, admission, material_id,
				hsm_label, strategy, new_key_id, reason, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, k.Alias, k.Region,
				AdmissionPending.String(), k.MaterialID, k.HSMLabel, strategy, k.NewKeyID, k.Reason, FormatTime(r.Created))
			if err != nil {
				return fmt.Errorf("create run %s: request %s %s: %w", r.ID, k.Alias, k.Region, err)
			}
		}
		return nil
	})
}

// AdmitRequestKey admits a pending requested key in one transaction:
// takes the key's lock for the run, adds its run key and marks it
// Admitted; a re-import request's material and HSM label go to the run
// key in the same transaction. A key already admitted with the same ARN is
// not an error (a resume). *LockedError when another unfinished run holds the key; the
// request stays Pending then (the caller refuses it with the reason).
func (s *Store) AdmitRequestKey(ctx context.Context, run RunID, alias, region, keyARN string) error {
	return s.AdmitRequestKeyOver(ctx, run, alias, region, keyARN, "")
}

// AdmitRequestKeyOver is AdmitRequestKey for a run that acts on run over
// (a rollback of a stopped run): a lock over holds on the key passes to
// run in the same transaction.
func (s *Store) AdmitRequestKeyOver(ctx context.Context, run RunID, alias, region, keyARN string, over RunID) error {
	if keyARN == "" {
		return fmt.Errorf("admit %s: empty key ARN: %w", alias, ErrInvalid)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if over != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM key_locks WHERE key_arn = ? AND run_id = ?`, keyARN, over); err != nil {
				return fmt.Errorf("admit %s: %w", alias, err)
			}
		}
		rq, err := getRequest(ctx, tx, run, alias, region)
		if err != nil {
			return fmt.Errorf("admit %s: %w", alias, err)
		}
		if rq.Admission == AdmissionAdmitted && rq.KeyARN == keyARN {
			return nil
		}
		if rq.Admission != AdmissionPending {
			return fmt.Errorf("admit %s: request is %s: %w", alias, rq.Admission, ErrInvalid)
		}
		if err := acquireLock(ctx, tx, keyARN, run); err != nil {
			return err
		}
		if _, err := getRunKey(ctx, tx, run, keyARN); errors.Is(err, ErrNotFound) {
			_, err = tx.ExecContext(ctx, `INSERT INTO run_keys(run_id, key_arn, old_material_id, hsm_label, strategy,
				new_key_id, updated) VALUES (?, ?, ?, ?, ?, ?, ?)`, run, keyARN, rq.MaterialID, rq.HSMLabel, rq.Strategy,
				rq.NewKeyID, FormatTime(time.Now()))
			if err != nil {
				return fmt.Errorf("admit %s: %w", alias, err)
			}
		} else if err != nil {
			return fmt.Errorf("admit %s: %w", alias, err)
		}
		return setAdmission(ctx, tx, run, alias, region, AdmissionAdmitted, rq.Reason, keyARN)
	})
}

// DecideRequestKey records that a pending key was Refused or Skipped, with
// the reason (and the key ARN when it was resolved).
func (s *Store) DecideRequestKey(ctx context.Context, run RunID, alias, region string, a Admission, reason, keyARN string) error {
	if a != AdmissionRefused && a != AdmissionSkipped {
		return fmt.Errorf("decide %s: admission %s: %w", alias, a, ErrInvalid)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		rq, err := getRequest(ctx, tx, run, alias, region)
		if err != nil {
			return fmt.Errorf("decide %s: %w", alias, err)
		}
		if rq.Admission != AdmissionPending {
			return fmt.Errorf("decide %s: request is %s: %w", alias, rq.Admission, ErrInvalid)
		}
		return setAdmission(ctx, tx, run, alias, region, a, reason, keyARN)
	})
}

func setAdmission(ctx context.Context, tx *sql.Tx, run RunID, alias, region string, a Admission, reason, keyARN string) error {
	_, err := tx.ExecContext(ctx, `UPDATE run_requests SET admission = ?, reason = ?, key_arn = ?, updated = ?
		WHERE run_id = ? AND alias = ? AND region = ?`, a.String(), reason, keyARN, FormatTime(time.Now()),
		run, alias, region)
	if err != nil {
		return fmt.Errorf("request %s %s: %w", alias, region, err)
	}
	return nil
}

// ListRequestKeys returns the request of a run, sorted by alias and
// Region; empty for a run recorded before requests existed.
func (s *Store) ListRequestKeys(ctx context.Context, run RunID) ([]RequestKey, error) {
	var out []RequestKey
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		if err := runExists(ctx, tx, run); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+requestColumns+`
			FROM run_requests WHERE run_id = ? ORDER BY alias, region`, run)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			rq, err := scanRequest(run, rows)
			if err != nil {
				return err
			}
			out = append(out, rq)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list request of %s: %w", run, err)
	}
	return out, nil
}

func getRequest(ctx context.Context, tx *sql.Tx, run RunID, alias, region string) (RequestKey, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+requestColumns+`
		FROM run_requests WHERE run_id = ? AND alias = ? AND region = ?`, run, alias, region)
	rq, err := scanRequest(run, row)
	if err != nil {
		return RequestKey{}, notFound(err, fmt.Sprintf("run %s request %s %s", run, alias, region))
	}
	return rq, nil
}

const requestColumns = `alias, region, admission, reason, key_arn, material_id, hsm_label, strategy, new_key_id, updated`

func scanRequest(run RunID, sc scanner) (RequestKey, error) {
	rq := RequestKey{RunID: run}
	var admission, updated string
	if err := sc.Scan(&rq.Alias, &rq.Region, &admission, &rq.Reason, &rq.KeyARN, &rq.MaterialID, &rq.HSMLabel, &rq.Strategy, &rq.NewKeyID, &updated); err != nil {
		return RequestKey{}, err
	}
	var errs [2]error
	rq.Admission, errs[0] = ParseAdmission(admission)
	rq.Updated, errs[1] = ParseTime(updated)
	return rq, errors.Join(errs[:]...)
}
