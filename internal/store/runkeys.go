package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// RunKey is what a run knows about one key: the step it reached and the
// facts a resumed run needs. None of it is secret (see the package comment).
type RunKey struct {
	RunID  RunID
	KeyARN string
	// Strategy is the name of the procedure the key follows in its run
	// (a run may hold several); set when the key is added.
	Strategy string
	// Step is the last step begun for this key (StepUnknown before any).
	Step  Step
	Error string
	// HSMLabel labels the HSM object holding this run's AES key.
	HSMLabel string
	// BlobSHA256 is the hex SHA-256 of the wrapped key material.
	BlobSHA256 string
	// ImportToken, PublicKey and ParametersValidTo are the import
	// parameters from GetParametersForImport. The rotation engine records
	// only ParametersValidTo: an import token is never written to the state
	// file (a resumed run fetches new parameters).
	ImportToken       []byte
	PublicKey         []byte
	ParametersValidTo time.Time
	OldMaterialID     string
	NewMaterialID     string
	OldKeyID          string
	NewKeyID          string
	// Verification is the JSON result of the verify step (nil if none).
	Verification json.RawMessage
	Updated      time.Time
	// Canaries are filled by GetRunKey and ListRunKeys; UpdateRunKey
	// ignores them (use PutCanary).
	Canaries []Canary
}

// Canary is a ciphertext encrypted under the key from one account before
// the rotation; it must still decrypt afterwards. Ciphertext is not secret.
type Canary struct {
	Account    string
	Region     string
	Ciphertext []byte
	Created    time.Time
}

// AddRunKey adds a key to a run. ErrNotFound if the run does not exist,
// ErrExists if the key is already part of it.
func (s *Store) AddRunKey(ctx context.Context, run RunID, keyARN string) error {
	if keyARN == "" {
		return fmt.Errorf("add run key: empty key ARN: %w", ErrInvalid)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := runExists(ctx, tx, run); err != nil {
			return fmt.Errorf("add run key: %w", err)
		}
		_, err := getRunKey(ctx, tx, run, keyARN)
		if err == nil {
			return fmt.Errorf("add run key %s to %s: %w", keyARN, run, ErrExists)
		}
		if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("add run key: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO run_keys(run_id, key_arn, strategy, updated)
			VALUES (?, ?, (SELECT strategy FROM runs WHERE id = ?), ?)`, run, keyARN, run, FormatTime(time.Now()))
		if err != nil {
			return fmt.Errorf("add run key %s: %w", keyARN, err)
		}
		return nil
	})
}

func runExists(ctx context.Context, tx *sql.Tx, run RunID) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE id = ?`, run).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("run %s: %w", run, ErrNotFound)
	}
	return nil
}

// UpdateRunKey reads the run key, lets fn change it and writes it back, all
// in one durable transaction. RunID, KeyARN, Step and Canaries are not
// changed by it (Step moves with BeginStep).
func (s *Store) UpdateRunKey(ctx context.Context, run RunID, keyARN string, fn func(k *RunKey) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		k, err := getRunKey(ctx, tx, run, keyARN)
		if err != nil {
			return fmt.Errorf("update run key: %w", err)
		}
		if err := fn(&k); err != nil {
			return fmt.Errorf("update run key %s: %w", keyARN, err)
		}
		if err := validJSON(k.Verification); err != nil {
			return fmt.Errorf("update run key %s: verification: %w", keyARN, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE run_keys SET error = ?, hsm_label = ?, blob_sha256 = ?,
			import_token = ?, public_key = ?, params_valid_to = ?, old_material_id = ?, new_material_id = ?,
			old_key_id = ?, new_key_id = ?, verification = ?, updated = ? WHERE run_id = ? AND key_arn = ?`,
			k.Error, k.HSMLabel, k.BlobSHA256, k.ImportToken, k.PublicKey, formatOptTime(k.ParametersValidTo),
			k.OldMaterialID, k.NewMaterialID, k.OldKeyID, k.NewKeyID, string(k.Verification),
			FormatTime(time.Now()), run, keyARN)
		if err != nil {
			return fmt.Errorf("update run key %s: %w", keyARN, err)
		}
		return nil
	})
}

// GetRunKey returns one key of a run with its canaries, or ErrNotFound.
func (s *Store) GetRunKey(ctx context.Context, run RunID, keyARN string) (RunKey, error) {
	var k RunKey
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		if k, err = getRunKey(ctx, tx, run, keyARN); err != nil {
			return err
		}
		k.Canaries, err = canaries(ctx, tx, run, keyARN)
		return err
	})
	if err != nil {
		return RunKey{}, fmt.Errorf("get run key: %w", err)
	}
	return k, nil
}

// ListRunKeys returns every key of a run (sorted by ARN) with canaries.
func (s *Store) ListRunKeys(ctx context.Context, run RunID) ([]RunKey, error) {
	var out []RunKey
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		if err := runExists(ctx, tx, run); err != nil {
			return err
		}
		arns, err := runKeyARNs(ctx, tx, run)
		if err != nil {
			return err
		}
		for _, arn := range arns {
			k, err := getRunKey(ctx, tx, run, arn)
			if err != nil {
				return err
			}
			if k.Canaries, err = canaries(ctx, tx, run, arn); err != nil {
				return err
			}
			out = append(out, k)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list run keys: %w", err)
	}
	return out, nil
}

func runKeyARNs(ctx context.Context, tx *sql.Tx, run RunID) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key_arn FROM run_keys WHERE run_id = ? ORDER BY key_arn`, run)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var arns []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		arns = append(arns, a)
	}
	return arns, rows.Err()
}

func getRunKey(ctx context.Context, tx *sql.Tx, run RunID, keyARN string) (RunKey, error) {
	k := RunKey{RunID: run, KeyARN: keyARN}
	var step, validTo, verification, updated string
	err := tx.QueryRowContext(ctx, `SELECT strategy, step, error, hsm_label, blob_sha256, import_token, public_key,
		params_valid_to, old_material_id, new_material_id, old_key_id, new_key_id, verification, updated
		FROM run_keys WHERE run_id = ? AND key_arn = ?`, run, keyARN).Scan(&k.Strategy, &step, &k.Error, &k.HSMLabel,
		&k.BlobSHA256, &k.ImportToken, &k.PublicKey, &validTo, &k.OldMaterialID, &k.NewMaterialID,
		&k.OldKeyID, &k.NewKeyID, &verification, &updated)
	if err != nil {
		return RunKey{}, notFound(err, fmt.Sprintf("run %s key %s", run, keyARN))
	}
	var errs [3]error
	if step != "" {
		k.Step, errs[0] = ParseStep(step)
	}
	k.ParametersValidTo, errs[1] = ParseTime(validTo)
	k.Updated, errs[2] = ParseTime(updated)
	if verification != "" {
		k.Verification = json.RawMessage(verification)
	}
	return k, errors.Join(errs[:]...)
}

// PutCanary records (or replaces) the canary of one account and region.
func (s *Store) PutCanary(ctx context.Context, run RunID, keyARN string, c Canary) error {
	if c.Account == "" || len(c.Ciphertext) == 0 {
		return fmt.Errorf("put canary: account and ciphertext are required: %w", ErrInvalid)
	}
	if c.Created.IsZero() {
		c.Created = time.Now()
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := getRunKey(ctx, tx, run, keyARN); err != nil {
			return fmt.Errorf("put canary: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO run_canaries(run_id, key_arn, account, region,
			ciphertext, created) VALUES (?, ?, ?, ?, ?, ?)`, run, keyARN, c.Account, c.Region,
			base64.StdEncoding.EncodeToString(c.Ciphertext), FormatTime(c.Created))
		if err != nil {
			return fmt.Errorf("put canary: %w", err)
		}
		return nil
	})
}

func canaries(ctx context.Context, tx *sql.Tx, run RunID, keyARN string) ([]Canary, error) {
	rows, err := tx.QueryContext(ctx, `SELECT account, region, ciphertext, created FROM run_canaries
		WHERE run_id = ? AND key_arn = ? ORDER BY account, region`, run, keyARN)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Canary
	for rows.Next() {
		var c Canary
		var b64, created string
		if err := rows.Scan(&c.Account, &c.Region, &b64, &created); err != nil {
			return nil, err
		}
		if c.Ciphertext, err = base64.StdEncoding.DecodeString(b64); err != nil {
			return nil, fmt.Errorf("canary %s: %w", c.Account, err)
		}
		if c.Created, err = ParseTime(created); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func formatOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatTime(t)
}

func validJSON(b []byte) error {
	if len(b) == 0 || json.Valid(b) {
		return nil
	}
	return fmt.Errorf("not valid JSON: %w", ErrInvalid)
}
