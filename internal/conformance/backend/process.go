package backend

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// childEnv marks a test binary that RunOnProcess started, so that it
// never starts another.
const childEnv = "BYOK_CONFORMANCE_CHILD"

// processGuard bounds a hung child; the tests themselves end far sooner.
const processGuard = 10 * time.Minute

// RunOnProcess proves that the aws variant of tests depends on nothing but
// public AWS APIs: it builds cmd/byok, starts `byok sandbox --seed demo`
// as a separate process, and re-runs this test binary's TestX/aws
// subtests (for each name in tests) with BYOK_CONFORMANCE_AWS=1, a
// shared-credentials file holding the Security and dev accounts' printed
// keys, and AWS_ENDPOINT_URL — no admin token, no in-process sandbox.
// Each named test must pass or skip as "sandbox only"; any failure, or an
// aws variant that did not run, fails the caller.
func RunOnProcess(t *testing.T, tests ...string) {
	t.Helper()
	if os.Getenv(childEnv) != "" {
		t.Skip("already the child of RunOnProcess")
	}
	if testing.Short() {
		t.Skip("-short: builds and starts byok sandbox as a process")
	}
	bin := buildByok(t)
	url, accounts := startProcess(t, bin)
	env := childEnvironment(t, url, accounts)
	ctx, cancel := context.WithTimeout(context.Background(), processGuard)
	defer cancel()
	pattern := "^(" + strings.Join(tests, "|") + ")$/^aws$"
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", pattern, "-test.v", "-test.count=1")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	checkChild(t, tests, string(out), err)
}

func buildByok(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "byok")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/byok-dev/byok/cmd/byok").CombinedOutput()
	if err != nil {
		t.Fatalf("go build cmd/byok: %v\n%s", err, out)
	}
	return bin
}

// startProcess starts the sandbox and reads its printed exports until it
// says it is ready: endpoint URL and, per account ID, its exports.
func startProcess(t *testing.T, bin string) (string, map[string]map[string]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "sandbox", "--listen", "127.0.0.1:0", "--seed", "demo")
	cmd.Env = scrubbed(os.Environ())
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	accounts, err := readExports(stdout)
	if err != nil {
		t.Fatalf("byok sandbox: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	url := accounts[SandboxSecurity]["AWS_ENDPOINT_URL"]
	if url == "" || accounts[SandboxConsumer]["AWS_ACCESS_KEY_ID"] == "" {
		t.Fatalf("byok sandbox printed no exports for %s and %s: %v", SandboxSecurity, SandboxConsumer, accounts)
	}
	return url, accounts
}

var accountLine = regexp.MustCompile(`^# account \S+ \((\d{12})\)$`)

func readExports(r io.Reader) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if m := accountLine.FindStringSubmatch(line); m != nil {
			cur = map[string]string{}
			out[m[1]] = cur
		} else if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && cur != nil && strings.HasPrefix(line, "export ") {
			cur[k] = v
		} else if strings.HasPrefix(line, "# ready") {
			return out, nil
		}
	}
	return nil, fmt.Errorf("exited before it was ready (%v)", sc.Err())
}

// scrubbed drops every AWS, sandbox and conformance setting from env.
func scrubbed(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "BYOK_SANDBOX_") || strings.HasPrefix(k, "BYOK_CONFORMANCE_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// childEnvironment writes a shared config and credentials file with one
// profile per account, as an operator's would be, and points the aws
// variant at the process's endpoint.
func childEnvironment(t *testing.T, url string, accounts map[string]map[string]string) []string {
	t.Helper()
	dir := t.TempDir()
	var creds, conf strings.Builder
	for profile, id := range map[string]string{"conformance-security": SandboxSecurity, "conformance-consumer": SandboxConsumer} {
		e := accounts[id]
		fmt.Fprintf(&creds, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", profile, e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"])
		fmt.Fprintf(&conf, "[profile %s]\nregion = %s\n", profile, e["AWS_REGION"])
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return append(scrubbed(os.Environ()), childEnv+"=1", EnvEnable+"=1",
		EnvProfile+"=conformance-security", EnvConsumerProfile+"=conformance-consumer",
		EnvRegion+"="+accounts[SandboxSecurity]["AWS_REGION"],
		"AWS_SHARED_CREDENTIALS_FILE="+write("credentials", creds.String()),
		"AWS_CONFIG_FILE="+write("config", conf.String()),
		"AWS_ENDPOINT_URL="+url, EnvEndpoint+"="+url)
}

// checkChild fails t unless every named test's aws variant passed or was
// skipped as sandbox only.
func checkChild(t *testing.T, tests []string, out string, err error) {
	t.Helper()
	if err != nil || strings.Contains(out, "--- FAIL") {
		t.Fatalf("aws variant against a byok sandbox process failed (%v):\n%s", err, out)
	}
	if strings.Contains(out, "aws variant not run") || strings.Contains(out, "needs two accounts") {
		t.Fatalf("the aws variant did not run against the process:\n%s", out)
	}
	passed, skipped := 0, 0
	for _, name := range tests {
		switch {
		case strings.Contains(out, "--- PASS: "+name+"/aws "):
			passed++
		case strings.Contains(out, "--- SKIP: "+name+"/aws "):
			skipped++
		default:
			t.Errorf("%s/aws did not run against the process:\n%s", name, out)
		}
	}
	if strings.Count(out, "sandbox only: ") < skipped {
		t.Errorf("an aws variant skipped for another reason than a sandbox-only assertion:\n%s", out)
	}
	t.Logf("aws variant against a byok sandbox process: %d passed, %d skipped as sandbox only", passed, skipped)
}
