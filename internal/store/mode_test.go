package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fixture makes a file at path in one of the shapes a wrong --state takes.
type fixture func(t *testing.T, path string)

func zeroBytes(t *testing.T, path string) { writeFile(t, path, nil) }
func textFile(t *testing.T, path string)  { writeFile(t, path, []byte("region: eu-west-1\n")) }
func noFile(t *testing.T, path string)    {}

func foreignSQLite(t *testing.T, path string) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE notes (x TEXT)`); err != nil {
		t.Fatal(err)
	}
}

func noStoreComponent(t *testing.T, path string) {
	foreignSQLite(t, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
		INSERT INTO schema_version VALUES ('audit', 1)`); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return b
}

// TestOpenModeRefusals: every wrong file is refused by every mode with the
// error that names what is wrong, and is left exactly as it was.
func TestOpenModeRefusals(t *testing.T) {
	modes := []Mode{ModeCreate, ModeWrite, ModeRead, ModeReadIfExists}
	cases := map[string]struct {
		make fixture
		want error
	}{
		"zero bytes":          {zeroBytes, ErrEmptyState},
		"yaml not sqlite":     {textFile, ErrNotState},
		"foreign sqlite":      {foreignSQLite, ErrNotState},
		"no store component":  {noStoreComponent, ErrNotState},
		"missing, write mode": {noFile, ErrNoState},
	}
	for name, c := range cases {
		for _, m := range modes {
			if name == "missing, write mode" && (m == ModeCreate || m == ModeReadIfExists) {
				continue
			}
			t.Run(name+"/"+m.String(), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "state.db")
				c.make(t, path)
				before := readAll(t, path)
				s, err := OpenMode(context.Background(), path, m)
				if err == nil {
					s.Close()
				}
				if !errors.Is(err, c.want) {
					t.Fatalf("err = %v, want %v", err, c.want)
				}
				var fe *FileError
				if !errors.As(err, &fe) || fe.Path != path || !bytes.Contains([]byte(err.Error()), []byte("--state FILE or "+EnvStatePath)) {
					t.Errorf("error %q is not a FileError naming the file and --state / %s", err, EnvStatePath)
				}
				if after := readAll(t, path); !bytes.Equal(before, after) {
					t.Errorf("file changed by a refused open: %d bytes -> %d", len(before), len(after))
				}
				if _, err := os.Stat(path); c.make == nil && err == nil {
					t.Error("a refused open created the file")
				}
			})
		}
	}
}

func TestOpenModeInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if _, err := OpenMode(context.Background(), path, ModeUnknown); !errors.Is(err, ErrInvalid) {
		t.Fatalf("ModeUnknown: err = %v, want ErrInvalid", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("ModeUnknown created the file")
	}
}

// TestOpenMissingNeverCreates: only ModeCreate makes a file; a missing
// file reads as empty in ModeReadIfExists without appearing on disk.
func TestOpenMissingNeverCreates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	for _, m := range []Mode{ModeWrite, ModeRead} {
		if _, err := OpenMode(ctx, path, m); !errors.Is(err, ErrNoState) {
			t.Errorf("%v: err = %v, want ErrNoState", m, err)
		}
	}
	s, err := OpenMode(ctx, path, ModeReadIfExists)
	if err != nil {
		t.Fatalf("ModeReadIfExists on a missing file: %v", err)
	}
	runs, err := s.ListRuns(ctx)
	if err != nil || len(runs) != 0 || !s.ReadOnly() {
		t.Errorf("empty state: %d runs, err %v, read-only %v", len(runs), err, s.ReadOnly())
	}
	if err := s.Migrate(ctx, "audit", []string{`CREATE TABLE a (x)`}); !errors.Is(err, ErrSchemaMissing) {
		t.Errorf("migrate another component on the empty state: err = %v, want ErrSchemaMissing", err)
	}
	s.Close()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("ModeRead/ModeWrite/ModeReadIfExists left %d files in the directory", len(ents))
	}
}

// TestCreateIsWhole: ModeCreate leaves one complete state file and no
// temporary file behind.
func TestCreateIsWhole(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	s, err := OpenMode(ctx, path, ModeCreate)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "state.db" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	if err := checkFile(path); err != nil {
		t.Fatalf("created file: %v", err)
	}
	s, err = OpenMode(ctx, path, ModeRead)
	if err != nil {
		t.Fatalf("read the created file: %v", err)
	}
	s.Close()
}
