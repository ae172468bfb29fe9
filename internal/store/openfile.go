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
	"sync/atomic"
)

// openWrite opens an existing byok state file read-write and migrates it.
func openWrite(ctx context.Context, path string, mode Mode) (*Store, error) {
	if err := checkWritable(path); err != nil {
		return nil, err
	}
	if err := probe(ctx, path); err != nil { // before the WAL setting rewrites a foreign file's header
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	s := &Store{db: db, path: path, mode: mode}
	if err := s.ready(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.Migrate(ctx, "store", storeMigrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	return s, nil
}

// openRead opens an existing byok state file with SQLite's mode=ro: no
// write can reach the file. When the file or its directory is not
// writable SQLite cannot make the -shm file a WAL reader needs, so the file
// is opened immutable (no locking); that is only safe with no -wal content,
// which a read-only directory cannot be gaining anyway.
func openRead(ctx context.Context, path string, mode Mode) (*Store, error) {
	uri, err := readURI(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	s := &Store{db: db, path: path, mode: mode}
	if err := s.ready(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.checkVersion(ctx, "store", len(storeMigrations)); err != nil {
		db.Close()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	return s, nil
}

// readURI is the SQLite URI that opens path read-only (see openRead).
func readURI(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("open state %s: %w", path, err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_busy_timeout", fmt.Sprint(busyTimeoutMS))
	q.Set("_query_only", "1")
	if !writable(abs) {
		if st, err := os.Stat(abs + "-wal"); err == nil && st.Size() > 0 {
			return "", fileError(path, ErrStateReadOnly, "it has unmerged writes in "+path+"-wal and cannot be read read-only",
				"make the file and its directory writable and run the command again")
		}
		q.Set("immutable", "1")
	}
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(abs) + "?" + q.Encode(), nil
}

// probe checks, read-only, that path is a byok state file.
func probe(ctx context.Context, path string) error {
	uri, err := readURI(path)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return fmt.Errorf("open state %s: %w", path, err)
	}
	defer db.Close()
	return (&Store{db: db, path: path}).ready(ctx)
}

// ready pings the database and checks that it is a byok state file.
func (s *Store) ready(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("open state %s: %w", s.path, err)
	}
	return checkSchema(ctx, s.db, s.path)
}

var memSeq atomic.Int64

// openEmpty is the state of a file that does not exist yet: an in-memory
// database with the current schema, read-only to callers. Nothing touches
// the disk.
func openEmpty(ctx context.Context, path string) (*Store, error) {
	name := fmt.Sprintf("file:byok-empty-%d-%d?mode=memory&cache=shared", os.Getpid(), memSeq.Add(1))
	db, err := sql.Open("sqlite", name+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open empty state: %w", err)
	}
	s := &Store{db: db, path: path, mode: ModeCreate}
	if s.pin, err = db.Conn(ctx); err != nil { // the database lives while one connection does
		db.Close()
		return nil, fmt.Errorf("open empty state: %w", err)
	}
	if err := s.Migrate(ctx, "store", storeMigrations); err != nil {
		s.Close()
		return nil, fmt.Errorf("open empty state: %w", err)
	}
	s.mode = ModeReadIfExists
	return s, nil
}

// createState makes a new state file whole or not at all: the schema is
// written into a temporary file in the same directory, which is then
// linked into place (never over an existing file). A crash leaves either
// no state file or a complete one, never a 0-byte or schema-less file.
func createState(ctx context.Context, path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	if err := checkWritable(path); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("create state file: %w", err)
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := tmp.Close(); err != nil { // CreateTemp makes it 0600; SQLite copies that mode to -wal/-shm
		return err
	}
	if err := writeSchema(ctx, name); err != nil {
		return err
	}
	if err := os.Link(name, path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create state file: %w", err)
	}
	return syncDir(dir)
}

// writeSchema migrates the store tables into the file at name, closes it
// (which checkpoints the WAL into the file) and fsyncs it.
func writeSchema(ctx context.Context, name string) error {
	db, err := sql.Open("sqlite", dsn(name))
	if err != nil {
		return err
	}
	s := &Store{db: db, path: name, mode: ModeCreate}
	if err := s.Migrate(ctx, "store", storeMigrations); err != nil {
		db.Close()
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
