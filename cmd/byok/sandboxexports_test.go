package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSandboxExportsFile is the README's by-hand start: byok sandbox on a
// free port writes the security account's exports to a file once ready;
// sourcing it (here: setting each variable) points byok scan at it.
func TestSandboxExportsFile(t *testing.T) {
	cliIsolate(t)
	file := filepath.Join(t.TempDir(), "sandbox.env")
	if err := os.WriteFile(file, []byte("export AWS_ENDPOINT_URL=http://stale\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut bytes.Buffer
	go func() {
		done <- run(ctx, []string{"sandbox", "--listen", "127.0.0.1:0", "--exports", file}, &out, &errOut)
	}()
	defer func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("sandbox exit %d: %s", code, errOut.String())
		}
	}()
	env := waitExports(t, file, done)
	if env["AWS_ENDPOINT_URL"] == "http://stale" || !strings.HasPrefix(env["AWS_ENDPOINT_URL"], "http://127.0.0.1:") {
		t.Fatalf("exports %v", env)
	}
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
		t.Setenv(k, env[k])
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("exports file mode %v (%v), want 0600", fi.Mode(), err)
	}
	if code, _, stderr := cliRun(t, "scan", "--format", "json"); code != exitFindings {
		t.Fatalf("scan against the sourced exports: exit %d\n%s", code, stderr)
	}
}

// waitExports waits until the sandbox has replaced the stale file (it
// removes it at start and writes it when ready) and returns its variables.
func waitExports(t *testing.T, file string, done chan int) map[string]string {
	t.Helper()
	guard := time.After(2 * time.Minute) // a failure guard, not a synchronisation
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case code := <-done:
			done <- code // for the deferred check
			t.Fatalf("sandbox exited %d before writing %s", code, file)
		case <-guard:
			t.Fatalf("no exports in %s after 2 minutes", file)
		case <-tick.C:
		}
		raw, err := os.ReadFile(file)
		if err != nil || strings.Contains(string(raw), "stale") {
			continue
		}
		env := map[string]string{}
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && !strings.HasPrefix(line, "#") {
				env[k] = v
			}
		}
		return env
	}
}
