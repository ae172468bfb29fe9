package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/estate"
)

// estateIsolate makes Resolve see no flag, no $BYOK_ESTATE and no ./byok.yaml.
func estateIsolate(t *testing.T) string {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(estate.EnvVar, "")
	return dir
}

func estateWriteFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEstateValidate(t *testing.T) {
	dir := estateIsolate(t)
	good := estateWriteFile(t, filepath.Join(dir, "good.yaml"), string(estate.ExampleYAML()))
	bad := estateWriteFile(t, filepath.Join(dir, "bad.yaml"),
		strings.Replace(strings.Replace(string(estate.ExampleYAML()), `"222222222222"`, `"2222"`, 1), "[s3, rds, dynamodb]", "[s3, rds, dynamo]", 1))
	cases := map[string]struct {
		args       []string
		code       int
		out, errIn []string
	}{
		"valid": {[]string{"estate", "validate", good}, 0, []string{"ok: 6 keys across 3 accounts"}, nil},
		"invalid": {[]string{"estate", "validate", bad}, 1, nil, []string{
			fmt.Sprintf("bad.yaml:%d:19: environments.dev.account", exampleLine(t, `"222222222222"`)),
			fmt.Sprintf("bad.yaml:%d:21: services[2]", exampleLine(t, "[s3, rds, dynamodb]")),
			`did you mean "dynamodb"`, "2 problem(s)"}},
		"missing":     {[]string{"estate", "validate", filepath.Join(dir, "nope.yaml")}, 1, nil, []string{"read estate", "no such file"}},
		"no file arg": {[]string{"estate", "validate"}, 64, nil, []string{"Usage: byok estate validate FILE", "exactly one FILE"}},
		"help":        {[]string{"estate", "validate", "--help"}, 0, []string{"Usage: byok estate validate FILE"}, nil},
		"bad flag":    {[]string{"estate", "validate", "--nope", good}, 64, nil, []string{"flag provided but not defined"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := cliRun(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, c.code, out, errOut)
			}
			for _, s := range c.out {
				if !strings.Contains(out, s) {
					t.Errorf("stdout %q lacks %q", out, s)
				}
			}
			for _, s := range c.errIn {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr %q lacks %q", errOut, s)
				}
			}
		})
	}
}

func TestEstateShowTableFromExample(t *testing.T) {
	estateIsolate(t)
	code, out, errOut := cliRun(t, "estate", "show")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, estate.ExampleSource) {
		t.Errorf("stderr %q does not say the embedded example is used", errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 7 || !strings.HasPrefix(lines[0], "ENV") {
		t.Fatalf("want a header and 6 keys, got:\n%s", out)
	}
	want := []string{"prod", "dynamodb", "alias/prod/dynamodb", "arn:aws:kms:eu-west-1:111111111111:alias/prod/dynamodb",
		"111111111111", "333333333333", "eu-west-1", "eu-central-1"}
	if got := strings.Fields(lines[6]); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("last row %q, want %q", got, want)
	}
}

func TestEstateShowJSONFromFlagAndEnv(t *testing.T) {
	dir := estateIsolate(t)
	doc := strings.Replace(string(estate.ExampleYAML()), "regions: [eu-west-1]", "regions: [us-east-1]", 1)
	path := estateWriteFile(t, filepath.Join(dir, "mine.yaml"), doc)
	for name, args := range map[string][]string{
		"flag": {"estate", "show", "--format", "json", "--estate", path},
		"env":  {"estate", "show", "--format=json"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(estate.EnvVar, path)
			code, out, errOut := cliRun(t, args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			var keys []estateKeyView
			if err := json.Unmarshal([]byte(out), &keys); err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
			if len(keys) != 6 || keys[0].Region != "us-east-1" || keys[0].Replicas == nil || keys[5].Replicas[0] != "eu-central-1" {
				t.Fatalf("keys %+v", keys)
			}
		})
	}
}

func TestEstateShowErrors(t *testing.T) {
	dir := estateIsolate(t)
	bad := estateWriteFile(t, filepath.Join(dir, "byok.yaml"), "security_account: 1\n")
	cases := map[string]struct {
		args  []string
		code  int
		errIn string
	}{
		"invalid cwd file": {[]string{"estate", "show"}, 1, "byok.yaml:1:19: security_account"},
		"bad format":       {[]string{"estate", "show", "--estate", bad, "--format", "yaml"}, 64, "use one of table, json"},
		"extra argument":   {[]string{"estate", "show", bad}, 64, "unexpected argument"},
		"missing --estate": {[]string{"estate", "show", "--estate", filepath.Join(dir, "nope.yaml")}, 1, "no such file"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := cliRun(t, c.args...)
			if code != c.code || !strings.Contains(errOut, c.errIn) {
				t.Fatalf("exit %d stderr %q; want %d and %q", code, errOut, c.code, c.errIn)
			}
		})
	}
}

// exampleLine is the 1-based line of the example estate where substr
// first occurs (the example's comments may grow; the errors name lines).
func exampleLine(t *testing.T, substr string) int {
	t.Helper()
	ex := string(estate.ExampleYAML())
	i := strings.Index(ex, substr)
	if i < 0 {
		t.Fatalf("the example estate has no %q", substr)
	}
	return strings.Count(ex[:i], "\n") + 1
}
