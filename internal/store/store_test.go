package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "state.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestOpenConfiguresFile(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("state file mode = %v, want 0600", st.Mode().Perm())
	}
	if err := s.CreateRun(ctx, testRun(t)); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("wal file: %v", err)
	} else if st.Mode().Perm() != 0o600 {
		t.Errorf("wal file mode %v, want 0600", st.Mode().Perm())
	}
	pragmas := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000"}
	for p, want := range pragmas {
		var got string
		if err := s.DB().QueryRowContext(ctx, "PRAGMA "+p).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", p, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", p, got, want)
		}
	}
}

func TestOpenMigrations(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	if err := s.CreateRun(ctx, testRun(t)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(ctx, path) // reopening must keep data and not re-run migrations
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	runs, err := s2.ListRuns(ctx)
	if err != nil || len(runs) != 1 {
		t.Fatalf("after reopen: %d runs, %v", len(runs), err)
	}
	if _, err := s2.DB().ExecContext(ctx, `UPDATE schema_version SET version = 99 WHERE component = 'store'`); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if _, err := Open(ctx, path); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("open newer schema: err = %v, want ErrSchemaTooNew", err)
	}
}

func TestMigrateComponent(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	m := []string{`CREATE TABLE extra_a (x INTEGER)`}
	if err := s.Migrate(ctx, "extra", m); err != nil {
		t.Fatal(err)
	}
	m = append(m, `CREATE TABLE extra_b (y INTEGER)`)
	if err := s.Migrate(ctx, "extra", m); err != nil { // only version 2 runs
		t.Fatalf("second migration: %v", err)
	}
	if err := s.Migrate(ctx, "extra", m[:1]); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("older code: err = %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenBadPath(t *testing.T) {
	for _, p := range []string{"", "state.db?mode=ro", "a#b"} {
		if _, err := Open(context.Background(), p); !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%q): err = %v, want ErrInvalid", p, err)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv(EnvStatePath, "")
	if got := DefaultPath(); got != filepath.Join(".byok", "state.db") {
		t.Errorf("DefaultPath() = %q", got)
	}
	t.Setenv(EnvStatePath, "/tmp/x.db")
	if got := DefaultPath(); got != "/tmp/x.db" {
		t.Errorf("DefaultPath() with %s = %q", EnvStatePath, got)
	}
}

func TestTimeRoundTrip(t *testing.T) {
	in := time.Date(2026, 11, 27, 1, 2, 3, 4, time.FixedZone("x", 3600))
	out, err := ParseTime(FormatTime(in))
	if err != nil || !out.Equal(in) {
		t.Fatalf("round trip %v -> %v, %v", in, out, err)
	}
	if _, err := ParseTime("yesterday"); err == nil {
		t.Fatal("ParseTime accepted garbage")
	}
}
