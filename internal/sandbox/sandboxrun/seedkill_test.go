package sandboxrun_test

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A SIGKILL during the first seed leaves no state behind: the next start
// seeds again from scratch and reaches ready. The kill lands at a random
// moment between the first line and the end of the seed.
func TestSIGKILLDuringFirstSeed(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("kill delays seeded with %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := range 3 {
		state := filepath.Join(t.TempDir(), "sandbox.state")
		killDuringSeed(t, state, time.Duration(rng.IntN(400))*time.Millisecond)
		// A state file exists only once the seed completed; the restart
		// reaches ready (startChild fails the test otherwise) and seeds
		// afresh exactly when there was none.
		_, statErr := os.Stat(state)
		existed := statErr == nil
		c := startChild(t, "--state", state, "--seed", "demo")
		if existed != c.said("# state already seeded from demo") || existed == c.said("# seeded demo") {
			t.Fatalf("run %d: state file after the kill: %v; restart said %q", i, existed, c.output)
		}
		c.kill(t)
		again := startChild(t, "--state", state, "--seed", "demo")
		if !again.said("# state already seeded from demo") {
			t.Fatalf("run %d: the completed seed was not kept: %q", i, again.output)
		}
		again.kill(t)
	}
}

// killDuringSeed starts byok sandbox on a new state, waits for its first
// line (the state is open, the seed starting) plus delay, and SIGKILLs it
// unless it has already finished seeding.
func killDuringSeed(t *testing.T, state string, delay time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, byokBinary(t), "sandbox", "--listen", "127.0.0.1:0", "--state", state, "--seed", "demo")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "# byok sandbox on") {
		t.Fatalf("first line %q", sc.Text())
	}
	time.Sleep(delay)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}
