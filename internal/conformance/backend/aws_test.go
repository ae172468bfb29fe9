package backend

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

const helperEnv = "BYOK_BACKEND_HELPER"

// TestAWSHelper opens the aws variant when run as a child of
// TestAWSNeverSkipsWhenEnabled; otherwise it does nothing.
func TestAWSHelper(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		return
	}
	AWS(t)
}

// An enabled aws variant without usable credentials fails, with a message
// naming what to set; it never skips. Not enabled, it skips naming the
// variables.
func TestAWSNeverSkipsWhenEnabled(t *testing.T) {
	empty := t.TempDir() + "/none"
	base := append(scrubbed(os.Environ()), helperEnv+"=1", "AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty,
		"AWS_EC2_METADATA_DISABLED=true")
	tests := map[string]struct {
		env      []string
		wantFail bool
		want     string
	}{
		"not enabled":        {nil, false, "aws variant not run: set " + EnvEnable + "=1"},
		"no credentials":     {[]string{EnvEnable + "=1"}, true, "credentials missing: set AWS_PROFILE/" + EnvProfile},
		"profile not found":  {[]string{EnvEnable + "=1", EnvProfile + "=no-such-profile"}, true, "credentials missing"},
		"unacknowledged url": {[]string{EnvEnable + "=1", EnvProfile + "=p", "AWS_ENDPOINT_URL=http://127.0.0.1:9"}, true, EnvEndpoint},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run", "^TestAWSHelper$", "-test.v")
			cmd.Env = append(append([]string{}, base...), tc.env...)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.wantFail || !strings.Contains(string(out), tc.want) {
				t.Fatalf("failed = %v (want %v), output lacks %q:\n%s", failed, tc.wantFail, tc.want, out)
			}
			if tc.wantFail && strings.Contains(string(out), "--- SKIP") {
				t.Fatalf("enabled aws variant skipped:\n%s", out)
			}
		})
	}
}
