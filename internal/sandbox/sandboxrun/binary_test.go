package sandboxrun_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	byokPath  string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// byokBinary builds cmd/byok once per test run.
func byokBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "byok-bin")
		if buildErr != nil {
			return
		}
		byokPath = filepath.Join(buildDir, "byok")
		out, err := exec.Command("go", "build", "-o", byokPath, "../../../cmd/byok").CombinedOutput()
		if err != nil {
			buildErr = &buildFailure{out: string(out), err: err}
		}
	})
	if buildErr != nil {
		t.Fatalf("build byok: %v", buildErr)
	}
	return byokPath
}

type buildFailure struct {
	out string
	err error
}

func (b *buildFailure) Error() string { return b.err.Error() + "\n" + b.out }

// child is a running `byok sandbox` process.
type child struct {
	cmd    *exec.Cmd
	url    string
	output []string
}

// startChild runs byok sandbox with args and waits for its ready line.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, byokBinary(t), append([]string{"sandbox", "--listen", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		c.output = append(c.output, line)
		if u, ok := strings.CutPrefix(line, "export AWS_ENDPOINT_URL="); ok {
			c.url = u
		}
		if strings.HasPrefix(line, "# ready") {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return c
		}
	}
	t.Fatalf("byok sandbox exited before ready; output:\n%s", strings.Join(c.output, "\n"))
	return nil
}

// kill SIGKILLs the child and waits for it.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

func (c *child) said(prefix string) bool {
	for _, l := range c.output {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}
