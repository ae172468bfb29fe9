package demo

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestPrepareDirClearsEarlierState: a second demo in the same directory
// starts from nothing, including the audit head file an earlier demo left
// (which would otherwise refuse the new store as a truncated one).
func TestPrepareDirClearsEarlierState(t *testing.T) {
	dir := t.TempDir()
	for _, f := range stateFiles {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("earlier"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	keep := filepath.Join(dir, "hsm-pin")
	if err := os.WriteFile(keep, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := prepareDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range append(stateFiles, "state.db.audit-head") {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived prepareDir (err %v)", f, err)
		}
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("prepareDir removed a file that is not demo state: %v", err)
	}
}
