package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SaveScanEach is SaveScan for a scan too large to hold as a slice: each
// calls add once per finding (byok scan replays them from disk), all in
// one transaction, and n is how many it will add (the scan's count). A
// finding without type, ID or verdict, two findings for one resource, or
// a count other than n is ErrInvalid, and nothing is saved.
func (s *Store) SaveScanEach(ctx context.Context, at time.Time, n int, each func(add func(Finding) error) error) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO scans(at, count) VALUES (?, ?)`, FormatTime(at), n)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO findings(scan_id, resource_type, resource_id, account,
			region, resource_arn, name, verdict, reason, detail, key_arn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		seen := make(map[ResourceKey]bool, n)
		err = each(func(f Finding) error {
			if f.ResourceType == "" || f.ResourceID == "" || f.Verdict == "" {
				return fmt.Errorf("finding %+v lacks type, ID or verdict: %w", f.Key(), ErrInvalid)
			}
			if seen[f.Key()] {
				return fmt.Errorf("two findings for %+v: %w", f.Key(), ErrInvalid)
			}
			seen[f.Key()] = true
			_, err := stmt.ExecContext(ctx, id, f.ResourceType, f.ResourceID, f.Account, f.Region,
				f.ResourceARN, f.Name, f.Verdict, f.Reason, f.Detail, f.KeyARN)
			return err
		})
		if err == nil && len(seen) != n {
			err = fmt.Errorf("%d findings given, %d announced: %w", len(seen), n, ErrInvalid)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("save scan: %w", err)
	}
	return id, nil
}
