package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// sqliteMagic starts every SQLite 3 database file (the 100-byte header).
var sqliteMagic = []byte("SQLite format 3\x00")

// checkFile inspects an existing state file before SQLite opens it: SQLite
// would treat a 0-byte file as a new empty database and happily write a
// schema into a file that is not ours. It returns ErrNoState (as a
// *FileError) when the file does not exist.
func checkFile(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fe := fileError(path, ErrNoState, "", "byok rotate creates it (so do byok import and byok scan --save)")
		fe.Cause = err
		return fe
	case err != nil:
		return fileError(path, ErrNotState, err.Error(), "")
	case st.IsDir():
		return fileError(path, ErrNotState, "it is a directory", "")
	case st.Size() == 0:
		return fileError(path, ErrEmptyState, "it holds no database (truncated, or created by something else)",
			"move it away if it is a leftover, or restore the state file from a backup")
	}
	f, err := os.Open(path)
	if err != nil {
		return fileError(path, ErrNotState, err.Error(), "")
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		return fileError(path, ErrNotState, "it is not a SQLite database", "")
	}
	return nil
}

// checkWritable refuses, before any work, a file or directory a writing
// command could not write (SQLite needs the directory for its -wal file).
func checkWritable(path string) error {
	const wOK = 0x2 // W_OK
	if err := syscall.Access(path, wOK); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fileError(path, ErrStateReadOnly, "this command writes the state and the file is read-only ("+err.Error()+")",
			"make it writable (chmod u+w)")
	}
	dir := filepath.Dir(path)
	if err := syscall.Access(dir, wOK); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fileError(path, ErrStateReadOnly, "this command writes the state and its directory "+dir+" is read-only ("+err.Error()+")",
			"make the directory writable")
	}
	return nil
}

// writable reports whether path and its directory can be written by us.
func writable(path string) bool {
	const wOK = 0x2
	return syscall.Access(path, wOK) == nil && syscall.Access(filepath.Dir(path), wOK) == nil
}

// checkSchema refuses a database that is not a byok state file: one without
// the schema_version table or without the store's own component.
func checkSchema(ctx context.Context, db *sql.DB, path string) error {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).Scan(&n)
	if err != nil {
		return fileError(path, ErrNotState, err.Error(), "")
	}
	if n == 0 {
		return fileError(path, ErrNotState, "a SQLite database without byok's tables (no schema_version)", "")
	}
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM schema_version WHERE component = 'store'`).Scan(&n)
	if err != nil {
		return fileError(path, ErrNotState, err.Error(), "")
	}
	if n == 0 {
		return fileError(path, ErrNotState, "its schema_version has no store component", "")
	}
	return nil
}

// componentVersion is component's schema version; ErrSchemaMissing when
// the component never migrated in this file.
func componentVersion(ctx context.Context, db *sql.DB, component string) (int, error) {
	var v int
	err := db.QueryRowContext(ctx, `SELECT version FROM schema_version WHERE component = ?`, component).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%s: %w", component, ErrSchemaMissing)
	}
	if err != nil {
		return 0, fmt.Errorf("schema version of %s: %w", component, err)
	}
	return v, nil
}

// checkVersion is Migrate for a read-only store: the schema must already be
// current, since nothing may be written.
func (s *Store) checkVersion(ctx context.Context, component string, want int) error {
	v, err := componentVersion(ctx, s.db, component)
	if err != nil {
		return err
	}
	switch {
	case v > want:
		return fmt.Errorf("migrate %s: version %d > %d: %w; upgrade byok", component, v, want, ErrSchemaTooNew)
	case v < want:
		return fileError(s.path, ErrSchemaOld, fmt.Sprintf("%s is at version %d, this byok reads %d", component, v, want),
			"run a command that writes the state (byok resume RUN, byok rotate …) once to upgrade it")
	}
	return nil
}
