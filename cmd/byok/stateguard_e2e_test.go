package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

// TestStateGuardsEndToEnd drives the real CLI against the sandbox: reading
// commands before any rotation create no state file; a rotation creates
// it; reading commands work on a 0444 file in a 0555 directory (run as an
// unprivileged user when the test runs as root, so the permissions bite)
// while rotate is refused there before any output; deleting the audit tail
// and head row is caught; a 0-byte or deleted state file stops rotate
// before it touches KMS.
func TestStateGuardsEndToEnd(t *testing.T) {
	rotShm(t)
	w := newRotWorld(t, nil)
	arn, _ := w.rotKey(t)
	region := strings.Split(arn, ":")[3]
	for _, args := range [][]string{{"plan"}, {"rotate", "--key", rotAlias, "--dry-run"}} {
		if code, out := w.inproc(args...); code != 0 {
			t.Fatalf("byok %v before any state: exit %d:\n%s", args, code, out)
		}
		if _, err := os.Stat(w.statePath); err == nil {
			t.Fatalf("byok %v created the state file", args)
		}
	}
	if code, out := w.inproc("rotate", "--key", rotAlias, "--yes"); code != 0 {
		t.Fatalf("rotate: exit %d:\n%s", code, out)
	}
	if code, out := w.inproc("audit", "verify"); code != 0 || !strings.Contains(out, "1 entries") || !strings.Contains(out, "agrees") {
		t.Fatalf("audit verify after a rotation: exit %d:\n%s", code, out)
	}
	w.checkReadOnlyState(t, arn, region)
	w.checkTailAndHeadDeleted(t)
	w.checkRotateRefused(t, arn, region, func() { writeTestFile(t, w.statePath, "") }, "empty (0 bytes)")
	w.checkRotateRefused(t, arn, region, func() { os.Remove(w.statePath) }, "audit head file")
	if code, out := w.inproc("runs", "list"); code == 0 || !strings.Contains(out, "does not exist") {
		t.Fatalf("runs list on a deleted state: exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(w.statePath); err == nil {
		t.Fatal("a deleted state file was recreated")
	}
}

// checkReadOnlyState makes the state file 0444 and its directory 0555.
func (w *rotWorld) checkReadOnlyState(t *testing.T, arn, region string) {
	t.Helper()
	if st, err := os.Stat(w.statePath + "-wal"); err == nil && st.Size() > 0 { // a read-only reader may leave an empty one
		t.Fatalf("%s-wal holds %d bytes after every byok exited", w.statePath, st.Size())
	}
	before, _ := os.ReadFile(w.statePath)
	w.shareWithNobody(t)
	must(t, os.Chmod(w.statePath, 0o444))
	must(t, os.Chmod(w.statePath+".audit-head", 0o444))
	must(t, os.Chmod(w.dir, 0o555))
	t.Cleanup(func() { os.Chmod(w.dir, 0o755) })
	id := w.lastRun(t).String()
	for _, args := range [][]string{{"runs", "list"}, {"runs", "show", id}, {"audit", "show"}, {"audit", "verify"}, {"plan"}} {
		if code, out := w.execRO(t, args...); code != 0 {
			t.Fatalf("byok %v on a read-only state: exit %d:\n%s", args, code, out)
		}
	}
	_, mats := w.materials(t, arn, region)
	code, out := w.execRO(t, "rotate", "--key", rotAlias, "--yes")
	if code == 0 || !strings.Contains(out, "not writable") || !strings.Contains(out, "--state FILE or "+store.EnvStatePath) || strings.Contains(out, rotAlias) {
		t.Fatalf("rotate on a read-only state: exit %d; want a refusal before any output naming --state / %s:\n%s", code, store.EnvStatePath, out)
	}
	if _, after := w.materials(t, arn, region); len(after) != len(mats) {
		t.Fatalf("rotate refused on a read-only state still changed KMS: %d materials -> %d", len(mats), len(after))
	}
	if after, _ := os.ReadFile(w.statePath); !bytes.Equal(before, after) {
		t.Fatal("reading commands changed the read-only state file")
	}
	must(t, os.Chmod(w.dir, 0o755))
	must(t, os.Chmod(w.statePath, 0o600))
	must(t, os.Chmod(w.statePath+".audit-head", 0o600))
}

// shareWithNobody lets uid 65534 reach the binary, the estate and the AWS
// config files when the test runs as root.
func (w *rotWorld) shareWithNobody(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	bin := rotBinary(t)
	must(t, os.Chmod(filepath.Dir(bin), 0o755))
	for d := filepath.Dir(w.dir); strings.HasPrefix(d, os.TempDir()) && len(d) > 1; d = filepath.Dir(d) {
		must(t, os.Chmod(d, 0o711))
	}
	for _, f := range []string{w.estFile, filepath.Join(w.dir, "aws-config"), filepath.Join(w.dir, "aws-credentials")} {
		must(t, os.Chmod(f, 0o644))
	}
}

// execRO runs the binary as uid 65534 when the test runs as root (root
// ignores file modes), else as the current user.
func (w *rotWorld) execRO(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, rotBinary(t), args...)
	cmd.Env = append(os.Environ(), "HOME="+w.dir)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	w.output.Write(buf.Bytes())
	if cmd.ProcessState == nil {
		t.Fatalf("byok %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), buf.String()
}

// checkTailAndHeadDeleted deletes the audit entries and the head row, as
// someone editing the state file would: verify names the removed tail and
// the succeeded run without its entry.
func (w *rotWorld) checkTailAndHeadDeleted(t *testing.T) {
	t.Helper()
	db, err := sql.Open("sqlite", w.statePath)
	must(t, err)
	_, err = db.Exec(`DELETE FROM audit_entries; DELETE FROM audit_head`)
	must(t, err)
	must(t, db.Close())
	code, out := w.inproc("audit", "verify")
	if code != 1 || !strings.Contains(out, "tail removed") || !strings.Contains(out, "MISSING run "+w.lastRun(t).String()) {
		t.Fatalf("audit verify after deleting the tail and the head row: exit %d:\n%s", code, out)
	}
}

// checkRotateRefused damages the state file and checks rotate stops before
// any KMS call, naming what is wrong.
func (w *rotWorld) checkRotateRefused(t *testing.T, arn, region string, damage func(), want string) {
	t.Helper()
	for _, s := range []string{"-wal", "-shm"} {
		os.Remove(w.statePath + s)
	}
	damage()
	_, mats := w.materials(t, arn, region)
	code, out := w.inproc("rotate", "--key", rotAlias, "--yes")
	if code == 0 || !strings.Contains(out, want) || !strings.Contains(out, store.EnvStatePath) {
		t.Fatalf("rotate on a damaged state: exit %d, want a refusal saying %q and naming %s:\n%s", code, want, store.EnvStatePath, out)
	}
	if _, after := w.materials(t, arn, region); len(after) != len(mats) {
		t.Fatalf("refused rotate changed KMS: %d materials -> %d", len(mats), len(after))
	}
}
