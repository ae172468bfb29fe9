package main

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/store"
)

// TestAuditAdoptHead: a state file from before head files (entries, no
// head file) is refused by a writing open with the adopt-head hint;
// adopt-head writes the file once, only for an intact log.
func TestAuditAdoptHead(t *testing.T) {
	path, _ := auditSeed(t)
	head := path + audit.HeadFileSuffix
	must(t, os.Remove(head)) // as a byok without head files left it
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	must(t, err)
	_, err = audit.Open(ctx, st)
	st.Close()
	if err == nil || !strings.Contains(err.Error(), "byok audit adopt-head --state "+path) {
		t.Fatalf("writing open without head file: err = %v, want the adopt-head hint", err)
	}
	if code, out, _ := cliRun(t, "audit", "verify", "--state", path); code != 1 || !strings.Contains(out, "head file missing") {
		t.Fatalf("verify without head file: exit %d:\n%s", code, out)
	}
	db, err := sql.Open("sqlite", path)
	must(t, err)
	_, err = db.Exec(`UPDATE audit_entries SET operator = 'mallory' WHERE seq = 2`)
	must(t, err)
	if code, _, errOut := cliRun(t, "audit", "adopt-head", "--state", path); code == 0 || !strings.Contains(errOut, "not intact") {
		t.Fatalf("adopt-head on an edited log: exit %d: %s", code, errOut)
	}
	_, err = db.Exec(`UPDATE audit_entries SET operator = 'arn:aws:sts::111111111111:assumed-role/op/alice' WHERE seq = 2`)
	must(t, err)
	must(t, db.Close())
	if code, out, errOut := cliRun(t, "audit", "adopt-head", "--state", path); code != 0 || !strings.Contains(out, "head seq 3") {
		t.Fatalf("adopt-head: exit %d: %s%s", code, out, errOut)
	}
	if code, out, _ := cliRun(t, "audit", "verify", "--state", path); code != 0 || !strings.Contains(out, "agrees") {
		t.Fatalf("verify after adopt-head: exit %d:\n%s", code, out)
	}
	if code, _, errOut := cliRun(t, "audit", "adopt-head", "--state", path); code == 0 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("second adopt-head: exit %d: %s", code, errOut)
	}
}
