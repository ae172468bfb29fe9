package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Finding is one resource's verdict in a saved scan. Verdict and Reason are
// the compliance package's stable names (e.g. "NON_COMPLIANT",
// "MATERIAL_OVERDUE"); the store does not interpret them beyond
// VerdictNonCompliant.
type Finding struct {
	ResourceType string // AWS Config type, e.g. AWS::S3::Bucket
	ResourceID   string // Config resourceId (DbiResourceId, table or bucket name)
	Account      string
	Region       string
	ResourceARN  string
	Name         string
	Verdict      string
	Reason       string
	Detail       string
	KeyARN       string
}

// VerdictNonCompliant is the verdict DiffLatest tracks.
const VerdictNonCompliant = "NON_COMPLIANT"

// ResourceKey identifies a resource across scans.
type ResourceKey struct{ Type, Account, Region, ID string }

// Key is the finding's identity across scans.
func (f Finding) Key() ResourceKey {
	return ResourceKey{Type: f.ResourceType, Account: f.Account, Region: f.Region, ID: f.ResourceID}
}

// Scan is one saved scan.
type Scan struct {
	ID    int64
	Time  time.Time
	Count int
}

// SaveScan stores the findings of a scan made at `at` as one transaction
// and returns the scan's ID. Two findings for one resource are ErrInvalid.
func (s *Store) SaveScan(ctx context.Context, at time.Time, findings []Finding) (int64, error) {
	seen := make(map[ResourceKey]bool, len(findings))
	for _, f := range findings {
		if f.ResourceType == "" || f.ResourceID == "" || f.Verdict == "" {
			return 0, fmt.Errorf("save scan: finding %+v lacks type, ID or verdict: %w", f.Key(), ErrInvalid)
		}
		if seen[f.Key()] {
			return 0, fmt.Errorf("save scan: two findings for %+v: %w", f.Key(), ErrInvalid)
		}
		seen[f.Key()] = true
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO scans(at, count) VALUES (?, ?)`, FormatTime(at), len(findings))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return insertFindings(ctx, tx, id, findings)
	})
	if err != nil {
		return 0, fmt.Errorf("save scan: %w", err)
	}
	return id, nil
}

func insertFindings(ctx context.Context, tx *sql.Tx, id int64, findings []Finding) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO findings(scan_id, resource_type, resource_id, account,
		region, resource_arn, name, verdict, reason, detail, key_arn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, f := range findings {
		_, err := stmt.ExecContext(ctx, id, f.ResourceType, f.ResourceID, f.Account, f.Region,
			f.ResourceARN, f.Name, f.Verdict, f.Reason, f.Detail, f.KeyARN)
		if err != nil {
			return err
		}
	}
	return nil
}

// ListScans returns saved scans, newest first.
func (s *Store) ListScans(ctx context.Context) ([]Scan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, count FROM scans ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	defer rows.Close()
	var out []Scan
	for rows.Next() {
		var sc Scan
		var at string
		if err := rows.Scan(&sc.ID, &at, &sc.Count); err != nil {
			return nil, fmt.Errorf("list scans: %w", err)
		}
		if sc.Time, err = ParseTime(at); err != nil {
			return nil, fmt.Errorf("list scans: %w", err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// ScanFindings returns a saved scan's findings sorted by account, region,
// type and ID; ErrNotFound for an unknown scan.
func (s *Store) ScanFindings(ctx context.Context, id int64) ([]Finding, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM scans WHERE id = ?`, id).Scan(&n); err != nil {
		return nil, fmt.Errorf("scan %d: %w", id, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("scan %d: %w", id, ErrNotFound)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT resource_type, resource_id, account, region, resource_arn,
		name, verdict, reason, detail, key_arn FROM findings WHERE scan_id = ?
		ORDER BY account, region, resource_type, resource_id`, id)
	if err != nil {
		return nil, fmt.Errorf("scan %d: %w", id, err)
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var f Finding
		if err := rows.Scan(&f.ResourceType, &f.ResourceID, &f.Account, &f.Region, &f.ResourceARN,
			&f.Name, &f.Verdict, &f.Reason, &f.Detail, &f.KeyARN); err != nil {
			return nil, fmt.Errorf("scan %d: %w", id, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
