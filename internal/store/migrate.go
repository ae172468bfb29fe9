package store

import (
	"context"
	"database/sql"
	"fmt"
)

// storeMigrations is the store's own schema, one entry per version; never
// edit a released entry, append a new one. Times are FormatTime text,
// enums their String() names (stable on disk even if Go constants move).
var storeMigrations = []string{
	`CREATE TABLE runs (
		id        TEXT PRIMARY KEY,
		strategy  TEXT NOT NULL,
		change_ref TEXT NOT NULL,
		operator  TEXT NOT NULL,
		created   TEXT NOT NULL,
		updated   TEXT NOT NULL,
		status    TEXT NOT NULL,
		error     TEXT NOT NULL DEFAULT '',
		dry_run   INTEGER NOT NULL
	);
	CREATE TABLE run_keys (
		run_id          TEXT NOT NULL REFERENCES runs(id),
		key_arn         TEXT NOT NULL,
		step            TEXT NOT NULL DEFAULT '',
		error           TEXT NOT NULL DEFAULT '',
		hsm_label       TEXT NOT NULL DEFAULT '',
		blob_sha256     TEXT NOT NULL DEFAULT '',
		import_token    BLOB,
		public_key      BLOB,
		params_valid_to TEXT NOT NULL DEFAULT '',
		old_material_id TEXT NOT NULL DEFAULT '',
		new_material_id TEXT NOT NULL DEFAULT '',
		old_key_id      TEXT NOT NULL DEFAULT '',
		new_key_id      TEXT NOT NULL DEFAULT '',
		verification    TEXT NOT NULL DEFAULT '',
		updated         TEXT NOT NULL,
		PRIMARY KEY (run_id, key_arn)
	);
	CREATE TABLE run_canaries (
		run_id     TEXT NOT NULL,
		key_arn    TEXT NOT NULL,
		account    TEXT NOT NULL,
		region     TEXT NOT NULL,
		ciphertext TEXT NOT NULL,
		created    TEXT NOT NULL,
		PRIMARY KEY (run_id, key_arn, account, region),
		FOREIGN KEY (run_id, key_arn) REFERENCES run_keys(run_id, key_arn)
	);
	CREATE TABLE journal (
		seq     INTEGER PRIMARY KEY AUTOINCREMENT,
		run_id  TEXT NOT NULL,
		key_arn TEXT NOT NULL,
		step    TEXT NOT NULL,
		phase   TEXT NOT NULL,
		at      TEXT NOT NULL,
		detail  TEXT NOT NULL,
		FOREIGN KEY (run_id, key_arn) REFERENCES run_keys(run_id, key_arn)
	);
	CREATE INDEX journal_run_key ON journal(run_id, key_arn, seq);
	CREATE TABLE key_locks (
		key_arn  TEXT PRIMARY KEY,
		run_id   TEXT NOT NULL REFERENCES runs(id),
		acquired TEXT NOT NULL
	);
	CREATE TABLE scans (
		id    INTEGER PRIMARY KEY AUTOINCREMENT,
		at    TEXT NOT NULL,
		count INTEGER NOT NULL
	);
	CREATE TABLE findings (
		scan_id       INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
		resource_type TEXT NOT NULL,
		resource_id   TEXT NOT NULL,
		account       TEXT NOT NULL,
		region        TEXT NOT NULL,
		resource_arn  TEXT NOT NULL,
		name          TEXT NOT NULL,
		verdict       TEXT NOT NULL,
		reason        TEXT NOT NULL,
		detail        TEXT NOT NULL,
		key_arn       TEXT NOT NULL,
		PRIMARY KEY (scan_id, resource_type, account, region, resource_id)
	);`,
	// 2: the request of a run (every key asked for, with its admission),
	// written in one transaction with the run before any work.
	`ALTER TABLE runs ADD COLUMN selector TEXT NOT NULL DEFAULT '';
	CREATE TABLE run_requests (
		run_id    TEXT NOT NULL REFERENCES runs(id),
		alias     TEXT NOT NULL,
		region    TEXT NOT NULL,
		admission TEXT NOT NULL,
		reason    TEXT NOT NULL DEFAULT '',
		key_arn   TEXT NOT NULL DEFAULT '',
		material_id TEXT NOT NULL DEFAULT '',
		hsm_label TEXT NOT NULL DEFAULT '',
		updated   TEXT NOT NULL,
		PRIMARY KEY (run_id, alias, region)
	);`,
	// 3: the process working on a run (one at a time), with a heartbeat.
	`CREATE TABLE run_holders (
		run_id    TEXT PRIMARY KEY REFERENCES runs(id),
		pid       INTEGER NOT NULL,
		host      TEXT NOT NULL,
		started   TEXT NOT NULL,
		heartbeat TEXT NOT NULL
	);`,
	// 4: a strategy per requested key and per run key (one run can hold
	// re-imports and rotations); existing rows take their run's strategy.
	// A run may act on another run (a rollback names the run it undoes),
	// and a request may name the key a new-key run created.
	`ALTER TABLE run_requests ADD COLUMN strategy TEXT NOT NULL DEFAULT '';
	UPDATE run_requests SET strategy = (SELECT strategy FROM runs WHERE runs.id = run_requests.run_id);
	ALTER TABLE run_requests ADD COLUMN new_key_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE run_keys ADD COLUMN strategy TEXT NOT NULL DEFAULT '';
	UPDATE run_keys SET strategy = (SELECT strategy FROM runs WHERE runs.id = run_keys.run_id);
	ALTER TABLE runs ADD COLUMN target TEXT NOT NULL DEFAULT '';`,
}

// Migrate brings component's tables to len(migrations): each entry is one
// schema version, applied once, in order, in one transaction with the
// version bump. A file whose version is beyond len(migrations) was written
// by a newer byok and is refused with ErrSchemaTooNew. A read-only store
// migrates nothing: an older schema is ErrSchemaOld, an absent component
// ErrSchemaMissing.
func (s *Store) Migrate(ctx context.Context, component string, migrations []string) error {
	if s.ReadOnly() { // nothing may be written: the schema must already be current
		return s.checkVersion(ctx, component, len(migrations))
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
			component TEXT PRIMARY KEY, version INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("migrate %s: %w", component, err)
		}
		var v int
		err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version WHERE component = ?`,
			component).Scan(&v)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("migrate %s: %w", component, err)
		}
		if v > len(migrations) {
			return fmt.Errorf("migrate %s: version %d > %d: %w; upgrade byok",
				component, v, len(migrations), ErrSchemaTooNew)
		}
		for i := v; i < len(migrations); i++ {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migrate %s to version %d: %w", component, i+1, err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_version(component, version) VALUES (?, ?)
			ON CONFLICT(component) DO UPDATE SET version = excluded.version`, component, len(migrations))
		if err != nil {
			return fmt.Errorf("migrate %s: %w", component, err)
		}
		return nil
	})
}
