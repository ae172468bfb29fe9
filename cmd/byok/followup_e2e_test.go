package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/store"
)

// TestInterruptedFollowUps: Ctrl-C on byok rotate --state FILE prints a
// resume command that names FILE; lock status (local state only) shows the
// stopped run's lock held by no process; the printed resume, run as
// printed, completes the rotation and frees the lock.
func TestInterruptedFollowUps(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	arn, replica := w.rotKey(t)
	oldCur, oldMats := w.materials(t, arn, "eu-west-1")
	state := filepath.Join(w.dir, "elsewhere.db")
	w.statePath = state // for waitForStep, lastRun and checkEnd; BYOK_STATE still names the default file
	cmd := exec.Command(rotBinary(t), "rotate", "--key", rotAlias, "--yes", "--state", state)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.waitForStep(t, arn, store.StepImport)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	w.output.Write(out.Bytes())
	id := w.lastRun(t)
	if code := cmd.ProcessState.ExitCode(); code != 3 || !strings.Contains(out.String(), "byok resume --state "+state+" "+id.String()) {
		t.Fatalf("interrupted rotate: exit %d, want 3 and a resume naming --state:\n%s", code, out.String())
	}
	rows := w.lockRows(t, "--state", state)
	if len(rows) != 1 || rows[0].Run != id.String() || rows[0].Scope != "local" || !rows[0].Stale {
		t.Fatalf("lock status of the stopped run: %+v", rows)
	}
	ran := w.runFollowUps(t, out.String(), "resume")
	if len(ran) != 1 {
		t.Fatalf("follow-ups run: %q", ran)
	}
	w.checkEnd(t, id, arn, replica, oldCur, len(oldMats))
	if rows := w.lockRows(t, "--state", state); len(rows) != 0 {
		t.Fatalf("locks after the run ended: %+v", rows)
	}
}
