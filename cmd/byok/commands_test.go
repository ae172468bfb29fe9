package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/store"
)

// awsCommands call AWS and must accept --profile and --region;
// localCommands do not. Every registered command is in exactly one, so a
// new command fails TestEveryCommand until someone decides.
var (
	awsCommands = map[string]bool{"scan": true, "plan": true, "migrate plan": true, "rotate": true, "resume": true,
		"rollback": true, "import": true, "watch": true, "serve": true, "runs abandon": true,
		"lock status": true, "lock release": true, "estate discover": true, "audit verify-shared": true, "retire": true,
		"migrate apply": true, "migrate resume": true, "migrate rollback": true}
	localCommands = map[string]bool{"estate validate": true, "estate show": true, "sandbox": true,
		"sandbox config-invoke": true, "hsm init": true, "hsm check": true, "hsm list": true,
		"runs list": true, "runs show": true, "audit show": true, "audit verify": true, "audit adopt-head": true,
		"findings diff": true, "demo": true, "migrate status": true}
)

// cliIsolate keeps the developer's AWS, estate, state and HSM settings out
// of a CLI test and points AWS at a closed port, so that a command that
// wrongly goes on to do work fails fast instead of reaching anything.
func cliIsolate(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	_ = ln.Close()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"AWS_ENDPOINT_URL": closed, "AWS_CONFIG_FILE": empty,
		"AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_PROFILE": "", "BYOK_STATE": filepath.Join(dir, "state.db"),
		"BYOK_ESTATE": "", "BYOK_HSM": "", "SOFTHSM2_CONF": ""} {
		t.Setenv(k, v)
	}
	t.Chdir(dir)
}

// TestEveryCommand holds every registered command to the CLI habits: help
// on stdout with exit 0, --version, flags after positional arguments, the
// exit-code table for bad usage, and --profile/--region where AWS is called.
func TestEveryCommand(t *testing.T) {
	cliIsolate(t)
	for _, name := range commandNames() {
		words := strings.Fields(name)
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			if awsCommands[name] == localCommands[name] {
				t.Fatalf("command %q is in neither or both of awsCommands and localCommands", name)
			}
			for _, h := range []string{"--help", "-h", "-help"} {
				code, out, errOut := cliRun(t, append(words, h)...)
				if code != exitOK || !strings.Contains(out, "Usage: byok "+name) || errOut != "" {
					t.Fatalf("%s %s: exit %d, stdout %q, stderr %q; want usage on stdout, exit 0", name, h, code, out, errOut)
				}
				if awsCommands[name] && (!strings.Contains(out, "-profile") || !strings.Contains(out, "-region")) {
					t.Fatalf("%s --help lists no --profile/--region:\n%s", name, out)
				}
			}
			if code, out, _ := cliRun(t, append(words, "--version")...); code != exitOK || !strings.HasPrefix(out, "byok ") {
				t.Fatalf("%s --version: exit %d, %q", name, code, out)
			}
			usage := map[string][]string{
				"unknown flag":                {"--no-such-flag"},
				"unknown flag after argument": {"ARG", "--no-such-flag"},
				"unknown flag after --flag=v": {"--state=x", "ARG", "--no-such-flag"},
				"too many arguments":          {"a1", "a2", "a3", "a4"},
			}
			for what, extra := range usage {
				code, out, errOut := cliRun(t, append(words, extra...)...)
				if code != exitUsage {
					t.Fatalf("%s %v (%s): exit %d, want %d\nstdout: %s\nstderr: %s", name, extra, what, code, exitUsage, out, errOut)
				}
			}
		})
	}
}

// TestFlagsEitherSide: the same invocation with flags before, between and
// after the positional argument gives the same result.
func TestFlagsEitherSide(t *testing.T) {
	cliIsolate(t)
	missing := filepath.Join(t.TempDir(), "no-state.db")
	run := "r-20261127T010203Z-3fa9"
	cases := map[string][][]string{
		"runs show": {
			{"runs", "show", "--state", missing, run},
			{"runs", "show", run, "--state", missing},
			{"runs", "show", "--state=" + missing, run},
		},
		"resume": {
			{"resume", "--estate", "no-such.yaml", run},
			{"resume", run, "--estate", "no-such.yaml"},
			{"resume", "-v", run, "--estate=no-such.yaml"},
		},
		"estate validate": {
			{"estate", "validate", "no-such.yaml"},
			{"estate", "validate", "--", "no-such.yaml"},
		},
	}
	for name, variants := range cases {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			code0, _, err0 := cliRun(t, variants[0]...)
			if code0 == exitUsage || code0 == exitOK {
				t.Fatalf("%v: exit %d, want a failure past argument parsing:\n%s", variants[0], code0, err0)
			}
			for _, v := range variants[1:] {
				if code, _, errOut := cliRun(t, v...); code != code0 || errOut != err0 {
					t.Fatalf("%v: exit %d %q\n%v: exit %d %q", variants[0], code0, err0, v, code, errOut)
				}
			}
		})
	}
}

// TestGroupsAndTopLevel: byok, byok --help, byok GROUP --help list the
// commands on stdout with exit 0; a group word alone or an unknown command
// is a usage error.
func TestGroupsAndTopLevel(t *testing.T) {
	cliIsolate(t)
	cases := map[string]struct {
		args     []string
		code     int
		inStdout string
	}{
		"no arguments":    {nil, exitOK, "Commands:"},
		"--help":          {[]string{"--help"}, exitOK, "runs list"},
		"help":            {[]string{"help"}, exitOK, "runs list"},
		"--version":       {[]string{"--version"}, exitOK, "byok "},
		"version":         {[]string{"version"}, exitOK, "byok "},
		"group --help":    {[]string{"runs", "--help"}, exitOK, "runs show"},
		"help command":    {[]string{"help", "runs", "show"}, exitOK, "Usage: byok runs show"},
		"group -h":        {[]string{"estate", "-h"}, exitOK, "estate validate"},
		"group alone":     {[]string{"runs"}, exitUsage, ""},
		"group unknown":   {[]string{"runs", "delete"}, exitUsage, ""},
		"unknown command": {[]string{"rotat"}, exitUsage, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := cliRun(t, c.args...)
			if code != c.code || !strings.Contains(out, c.inStdout) {
				t.Fatalf("byok %v: exit %d, want %d; stdout %q; stderr %q", c.args, code, c.code, out, errOut)
			}
			if c.code == exitUsage && (out != "" || errOut == "") {
				t.Fatalf("byok %v: usage error on stdout %q / stderr %q; want stderr only", c.args, out, errOut)
			}
		})
	}
}

// TestFormatFlag: every command with --format refuses an unknown value
// with exit 64; listings of an empty state are [] in JSON, never null;
// runs list --format json carries the runs.
func TestFormatFlag(t *testing.T) {
	cliIsolate(t)
	for _, name := range commandNames() {
		_, help, _ := cliRun(t, append(strings.Fields(name), "--help")...)
		if !strings.Contains(help, "-format") {
			continue
		}
		if code, _, errOut := cliRun(t, append(strings.Fields(name), "--format", "yaml")...); code != exitUsage || !strings.Contains(errOut, "--format") {
			t.Errorf("%s --format yaml: exit %d %q, want 64", name, code, errOut)
		}
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	st, err := store.Open(context.Background(), empty)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, args := range [][]string{{"runs", "list"}, {"audit", "show"}} {
		code, out, errOut := cliRun(t, append(args, "--state", empty, "--format", "json")...)
		if code != exitOK || strings.TrimSpace(out) != "[]" {
			t.Errorf("%v --format json on an empty state: exit %d, %q %s", args, code, out, errOut)
		}
	}
	path, done, open := runsSeed(t)
	code, out, _ := cliRun(t, "runs", "list", "--state", path, "--format", "json")
	var runs []runJSON
	if err := json.Unmarshal([]byte(out), &runs); code != exitOK || err != nil || len(runs) != 2 {
		t.Fatalf("runs list --format json: exit %d, %v\n%s", code, err, out)
	}
	if runs[0].ID != string(open) || runs[1].ID != string(done) || runs[1].Status != "succeeded" || runs[0].Keys == nil {
		t.Fatalf("runs list --format json: %+v", runs)
	}
	code, out, _ = cliRun(t, "runs", "show", "--format", "json", string(open), "--state", path)
	var one runJSON
	if err := json.Unmarshal([]byte(out), &one); code != exitOK || err != nil || one.ID != string(open) || one.Status != "running" || one.Keys == nil {
		t.Fatalf("runs show --format json: exit %d, %v\n%s", code, err, out)
	}
}

// TestAWSFlagsReachTheSDK: --profile and --region given after the command
// reach the SDK's configuration loading (an unknown profile and an unknown
// Region are refused naming them), for every AWS command.
func TestAWSFlagsReachTheSDK(t *testing.T) {
	cliIsolate(t)
	estateFile := filepath.Join(t.TempDir(), "byok.yaml")
	if err := os.WriteFile(estateFile, estate.ExampleYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL", sandboxrun.NewTest(t, false).URL()) // answering, so loading gets as far as the profile
	extra := map[string][]string{"rotate": {"--due"}, "resume": {"r-20261127T010203Z-3fa9"},
		"rollback": {"r-20261127T010203Z-3fa9"}, "import": {"--key", "alias/dev/s3"}, "watch": {"--key", "alias/dev/s3"},
		"retire":         {"--key", "alias/dev/s3", "--dry-run"},
		"migrate resume": {"r-20261127T010203Z-3fa9"}, "migrate rollback": {"r-20261127T010203Z-3fa9"},
		"runs abandon":    {"r-20261127T010203Z-3fa9", "--reason", "test"},
		"lock release":    {"alias/dev/s3", "--force", "--reason", "test"},
		"estate discover": {"--out", filepath.Join(t.TempDir(), "discovered.yaml")}}
	for name := range awsCommands {
		args := append(strings.Fields(name), extra[name]...)
		if name != "estate discover" { // discover writes an estate; it reads none
			args = append(args, "--estate", estateFile)
		}
		for flagArgs, want := range map[string]string{"--profile no-such-profile": "no-such-profile", "--region eu-west-9": "eu-west-9"} {
			code, _, errOut := cliRun(t, append(args, strings.Fields(flagArgs)...)...)
			if code != exitFailed || !strings.Contains(errOut, want) {
				t.Errorf("%s %s: exit %d, want 1 naming %q:\n%s", name, flagArgs, code, want, errOut)
			}
		}
	}
}

// TestCredentialHints: a wrong secret key and another account's
// credentials get a hint naming what to fix, through a real command.
func TestCredentialHints(t *testing.T) {
	cliIsolate(t)
	sb := sandboxrun.NewTest(t, true)
	estateFile := filepath.Join(t.TempDir(), "byok.yaml")
	if err := os.WriteFile(estateFile, estate.ExampleYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL", sb.URL())
	t.Setenv("AWS_REGION", "eu-west-1")
	cases := map[string]struct {
		account string
		spoil   func(string) string
		want    error
	}{
		"wrong secret key":        {"111111111111", func(s string) string { return s + "x" }, awsx.ErrBadSignature},
		"another account's creds": {"222222222222", func(s string) string { return s }, awsx.ErrCannotAssume},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			akid, secret := sandbox.AccountKeys(c.account)
			t.Setenv("AWS_ACCESS_KEY_ID", akid)
			t.Setenv("AWS_SECRET_ACCESS_KEY", c.spoil(secret))
			for _, cmd := range [][]string{{"plan"}, {"scan"}} {
				code, _, errOut := cliRun(t, append(cmd, "--estate", estateFile)...)
				if code != exitFailed || !strings.Contains(errOut, c.want.Error()) {
					t.Errorf("%v: exit %d, want 1 with %q:\n%s", cmd, code, c.want, errOut)
				}
			}
		})
	}
}

// TestExitStatusTable: codes outside the table, and 2 or 3 from a command
// the table does not give them to, reach a script as 1 with a message.
func TestExitStatusTable(t *testing.T) {
	scan, runs, rotate := commands["scan"], commands["runs list"], commands["rotate"]
	cases := []struct {
		c          *command
		code, want int
	}{
		{scan, exitFindings, exitFindings}, {runs, exitFindings, exitFailed},
		{rotate, exitStopped, exitStopped}, {scan, exitStopped, exitFailed},
		{runs, exitUsage, exitUsage}, {runs, 7, exitFailed}, {runs, exitOK, exitOK},
	}
	for _, c := range cases {
		var b strings.Builder
		if got := exitStatus(c.c, c.code, &b); got != c.want || (got != c.code) != strings.Contains(b.String(), "internal error") {
			t.Errorf("%s exit %d: got %d (%q), want %d", c.c.Name, c.code, got, b.String(), c.want)
		}
	}
	for name := range runCommands {
		if commands[name] == nil {
			t.Errorf("runCommands names %q, which is not registered", name)
		}
	}
}

// TestOneFlagParser: no command parses its flags but through parseFlags
// (flags on either side of arguments), so a new command cannot escape it.
func TestOneFlagParser(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "cliflags.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), ".Parse(args") || strings.Contains(string(src), "fs.Parse(") {
			t.Errorf("%s parses flags itself; use parseFlags(fs, args)", f)
		}
	}
}
