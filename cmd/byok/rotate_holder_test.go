package main

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/byok-dev/byok/internal/store"
)

// TestSecondProcessOnRunRefused: while byok rotate works on a run (held in
// its watch step), byok resume of the same run is refused naming the
// holder's PID and host and changes nothing; once the holder is SIGKILLed,
// the resume takes over at once (its process is gone) and finishes.
func TestSecondProcessOnRunRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	arn, replica := w.rotKey(t)
	oldCur, oldMats := w.materials(t, arn, "eu-west-1")
	first := exec.Command(rotBinary(t), "rotate", "--key", rotAlias, "--yes", "--watch", "10m")
	var out bytes.Buffer
	first.Stdout, first.Stderr = &out, &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	w.waitForStep(t, arn, store.StepWatch)
	id := w.lastRun(t)
	code, _, second := w.exec(t, nil, "resume", id.String())
	if code == 0 || !strings.Contains(second, "held by process "+strconv.Itoa(first.Process.Pid)) {
		_ = first.Process.Kill()
		t.Fatalf("second process on run %s: exit %d, want a refusal naming PID %d:\n%s", id, code, first.Process.Pid, second)
	}
	_ = first.Process.Signal(syscall.SIGKILL)
	_ = first.Wait()
	w.output.Write(out.Bytes())
	if code, _, out := w.exec(t, nil, "resume", id.String()); code != 0 {
		t.Fatalf("resume after the holder died: exit %d\n%s", code, out)
	}
	w.checkEnd(t, id, arn, replica, oldCur, len(oldMats))
}
