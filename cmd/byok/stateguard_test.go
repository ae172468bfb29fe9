package main

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/store"
)

// stateReadCommands are the commands that only read the state file.
var stateReadCommands = [][]string{
	{"runs", "list"}, {"runs", "show", "r-20261127T010203Z-aaaa"},
	{"audit", "show"}, {"audit", "verify"}, {"findings", "diff"},
}

// TestReadCommandsRefuseWrongStateFiles: a 0-byte, non-SQLite or
// schema-less --state is refused by every reading command before any
// output, naming --state / BYOK_STATE, and left as it was; a missing one
// is not created.
func TestReadCommandsRefuseWrongStateFiles(t *testing.T) {
	files := map[string]func(t *testing.T, path string){
		"zero bytes": func(t *testing.T, path string) { writeTestFile(t, path, "") },
		"yaml":       func(t *testing.T, path string) { writeTestFile(t, path, "regions: [eu-west-1]\n") },
		"foreign sqlite": func(t *testing.T, path string) {
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`CREATE TABLE notes (x TEXT)`); err != nil {
				t.Fatal(err)
			}
		},
		"missing": func(t *testing.T, path string) {},
	}
	for name, mk := range files {
		for _, cmd := range stateReadCommands {
			t.Run(name+"/"+strings.Join(cmd, " "), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "state.db")
				mk(t, path)
				before, _ := os.ReadFile(path)
				code, out, errOut := cliRun(t, append(cmd, "--state", path)...)
				if code == 0 || out != "" || !strings.Contains(errOut, "--state FILE or "+store.EnvStatePath) {
					t.Fatalf("exit %d, stdout %q, stderr %q; want a refusal before any output naming --state / %s",
						code, out, errOut, store.EnvStatePath)
				}
				after, err := os.ReadFile(path)
				if name == "missing" {
					if err == nil {
						t.Fatal("a reading command created the state file")
					}
					return
				}
				if !bytes.Equal(before, after) {
					t.Fatal("a refused reading command changed the file")
				}
			})
		}
	}
}

func writeTestFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
