package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestMigrateStrategyPerKey: a state file of schema version 3 (one
// strategy per run) opens with every requested key and run key carrying
// its run's strategy, and runs without a target.
func TestMigrateStrategyPerKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{db: db, path: path, mode: ModeCreate}
	if err := old.Migrate(ctx, "store", storeMigrations[:3]); err != nil {
		t.Fatal(err)
	}
	r := testRun(t)
	r.Strategy = "reimport"
	stmts := []string{
		`INSERT INTO runs(id, strategy, change_ref, operator, created, updated, status, error, dry_run, selector)
			VALUES ('` + string(r.ID) + `', 'reimport', '', '', '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000000Z', 'running', '', 0, '')`,
		`INSERT INTO run_requests(run_id, alias, region, admission, updated)
			VALUES ('` + string(r.ID) + `', 'alias/a', 'eu-west-1', 'admitted', '2026-01-01T00:00:00.000000000Z')`,
		`INSERT INTO run_keys(run_id, key_arn, updated) VALUES ('` + string(r.ID) + `', 'arn:k', '2026-01-01T00:00:00.000000000Z')`,
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open version 3 file: %v", err)
	}
	defer s.Close()
	rqs, err := s.ListRequestKeys(ctx, r.ID)
	if err != nil || len(rqs) != 1 || rqs[0].Strategy != "reimport" {
		t.Fatalf("migrated request: %+v, %v", rqs, err)
	}
	rk, err := s.GetRunKey(ctx, r.ID, "arn:k")
	if err != nil || rk.Strategy != "reimport" {
		t.Fatalf("migrated run key: %+v, %v", rk, err)
	}
	got, err := s.GetRun(ctx, r.ID)
	if err != nil || got.Target != "" || got.Strategy != "reimport" {
		t.Fatalf("migrated run: %+v, %v", got, err)
	}
}

// TestRequestStrategyPerKey: a run's request can mix strategies; each
// admitted key's run key carries its request's strategy (and a rollback
// request's key ID), the rest default to the run's.
func TestRequestStrategyPerKey(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	r := testRun(t)
	r.Status = StatusRunning
	keys := []RequestKey{{Alias: "alias/a", Region: "r", Strategy: "reimport", MaterialID: "m1", HSMLabel: "byok:x"},
		{Alias: "alias/b", Region: "r"}, {Alias: "alias/c", Region: "r", Strategy: "rollback", NewKeyID: "arn:new"}}
	if err := s.CreateRunWithRequest(ctx, r, keys); err != nil {
		t.Fatal(err)
	}
	want := map[string]RunKey{"arn:a": {Strategy: "reimport", OldMaterialID: "m1", HSMLabel: "byok:x"},
		"arn:b": {Strategy: "in-place"}, "arn:c": {Strategy: "rollback", NewKeyID: "arn:new"}}
	for _, k := range keys {
		arn := "arn:" + k.Alias[len("alias/"):]
		if err := s.AdmitRequestKey(ctx, r.ID, k.Alias, k.Region, arn); err != nil {
			t.Fatal(err)
		}
		rk, err := s.GetRunKey(ctx, r.ID, arn)
		w := want[arn]
		if err != nil || rk.Strategy != w.Strategy || rk.OldMaterialID != w.OldMaterialID || rk.HSMLabel != w.HSMLabel || rk.NewKeyID != w.NewKeyID {
			t.Errorf("%s: run key %+v, %v; want %+v", arn, rk, err, w)
		}
	}
}
