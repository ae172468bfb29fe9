package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// envCrashChild makes the test binary act as the child that is killed.
const envCrashChild = "BYOK_STORE_CRASH_CHILD"

// TestMain lets the crash test re-exec this binary as a writer process.
func TestMain(m *testing.M) {
	if path := os.Getenv(envCrashChild); path != "" {
		os.Exit(crashChild(path))
	}
	os.Exit(m.Run())
}

// crashChild journals begin/end pairs forever, printing i after each
// committed EndStep; the parent kills it with SIGKILL.
func crashChild(path string) int {
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	run := RunID(os.Getenv(envCrashChild + "_RUN"))
	for i := 1; ; i++ {
		if err := s.BeginStep(ctx, run, keyA, StepWrap, map[string]int{"i": i}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if err := s.EndStep(ctx, run, keyA, StepWrap, map[string]int{"i": i}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Println(i)
	}
}

func TestJournalSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	run := seedRunKey(t, s)
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashChild+"="+path, envCrashChild+"_RUN="+string(run))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lastReported := readUntilKill(t, cmd, bufio.NewScanner(out), 200)
	cmd.Wait()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	checkJournalPrefix(t, s, run, lastReported)
}

// readUntilKill reads reported pairs until n arrived, SIGKILLs the child
// mid-write and returns the last number it reported.
func readUntilKill(t *testing.T, cmd *exec.Cmd, sc *bufio.Scanner, n int) int {
	t.Helper()
	last := 0
	deadline := time.Now().Add(60 * time.Second)
	for last < n && sc.Scan() {
		v, err := strconv.Atoi(sc.Text())
		if err != nil {
			t.Fatalf("child printed %q", sc.Text())
		}
		last = v
		if time.Now().After(deadline) {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() { // lines already in the pipe were committed too
		if v, err := strconv.Atoi(sc.Text()); err == nil {
			last = v
		}
	}
	if last == 0 {
		t.Fatal("child reported no committed step")
	}
	return last
}

// checkJournalPrefix asserts events are exactly begin/end pairs 1..k, with
// k ≥ reported, optionally followed by one begin of k+1.
func checkJournalPrefix(t *testing.T, s *Store, run RunID, reported int) {
	t.Helper()
	ev, err := s.Journal(context.Background(), run)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) < 2*reported {
		t.Fatalf("journal has %d events, child reported %d committed pairs", len(ev), reported)
	}
	for j, e := range ev {
		wantPhase, wantI := PhaseBegin, j/2+1
		if j%2 == 1 {
			wantPhase = PhaseEnd
		}
		if want := fmt.Sprintf(`{"i":%d}`, wantI); e.Phase != wantPhase || string(e.Detail) != want {
			t.Fatalf("event %d = %s %s, want %s %s", j, e.Phase, e.Detail, wantPhase, want)
		}
	}
	t.Logf("child reported %d pairs; journal holds %d events", reported, len(ev))
}
