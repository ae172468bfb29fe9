package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// EnvStatePath names the environment variable that overrides DefaultPath.
const EnvStatePath = "BYOK_STATE"

// busyTimeoutMS is how long a writer waits for another writer (another
// goroutine's connection or another byok process) before SQLITE_BUSY.
const busyTimeoutMS = 10000

// Store is an open state file. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	mode Mode
	pin  *sql.Conn // keeps an in-memory empty state alive (ModeReadIfExists)
}

// DefaultPath is $BYOK_STATE when set, else ./.byok/state.db.
func DefaultPath() string {
	if p := os.Getenv(EnvStatePath); p != "" {
		return p
	}
	return filepath.Join(".byok", "state.db")
}

// Open is OpenMode(ctx, path, ModeCreate): for commands that start work.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenMode(ctx, path, ModeCreate)
}

// OpenMode opens the state file at path as mode allows (see Mode). Every
// mode refuses a 0-byte file, a file that is not SQLite and a database
// without byok's schema (a *FileError: ErrEmptyState, ErrNotState), so a
// wrong --state is never mistaken for an empty history; writing modes
// refuse an unwritable file or directory (ErrStateReadOnly) before any work.
func OpenMode(ctx context.Context, path string, mode Mode) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open state %q: %w: give a file path without '?' or '#' (or set %s)",
			path, ErrInvalid, EnvStatePath)
	}
	if mode <= ModeUnknown || int(mode) >= len(modeNames) {
		return nil, fmt.Errorf("open state %s: mode %v: %w", path, mode, ErrInvalid)
	}
	err := checkFile(path)
	switch {
	case errors.Is(err, ErrNoState) && mode == ModeCreate:
		if err := createState(ctx, path); err != nil {
			return nil, fmt.Errorf("create state %s: %w", path, err)
		}
	case errors.Is(err, ErrNoState) && mode == ModeReadIfExists:
		return openEmpty(ctx, path)
	case err != nil:
		return nil, err
	}
	switch mode {
	case ModeCreate, ModeWrite:
		return openWrite(ctx, path, mode)
	case ModeRead, ModeReadIfExists:
		return openRead(ctx, path, mode)
	}
	return nil, fmt.Errorf("open state %s: mode %v: %w", path, mode, ErrInvalid)
}

// dsn configures every pooled connection: WAL so readers never block the
// writer, synchronous=FULL so a commit is fsynced before it returns,
// foreign keys on, and BEGIN IMMEDIATE so a read-then-write transaction
// takes the write lock up front instead of failing with SQLITE_BUSY later.
func dsn(path string) string {
	if strings.HasPrefix(path, "file:") {
		path = "./" + path // a plain file name, never a SQLite URI
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeoutMS))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode()
}

// ReadOnly reports whether the store was opened by a reading mode.
func (s *Store) ReadOnly() bool { return s.mode.readOnly() }

// Path is the file this store was opened from.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	if s.pin != nil {
		s.pin.Close()
	}
	return s.db.Close()
}

// DB is the underlying database, for packages that keep their own tables in
// the state file (package audit). Use it only for tables you migrated.
func (s *Store) DB() *sql.DB { return s.db }

// IntegrityCheck runs PRAGMA integrity_check and returns nil when it says ok.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// inTx runs fn in one (IMMEDIATE) transaction and commits it.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// inReadTx runs fn in one deferred (read) transaction: a consistent
// snapshot that does not take the write lock.
func (s *Store) inReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// timeLayout is fixed-width UTC so stored times sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// FormatTime is how the store (and package audit) write times.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// ParseTime reads a time written by FormatTime; "" is the zero time.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// notFound turns sql.ErrNoRows into ErrNotFound with context.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}
