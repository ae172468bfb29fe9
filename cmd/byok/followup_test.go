package main

import (
	"bytes"
	"strings"
	"testing"
)

// Follow-up commands get the invocation's flags that they accept, quoted
// for a shell, unless they name them already; other text is unchanged.
func TestFollowUpRewrite(t *testing.T) {
	f := &followUp{flags: invocationFlags([]string{"r-1", "--state", "/tmp/a b.db", "--estate=e.yaml",
		"--state-location", "s3://byok-state/team", "--yes"})}
	cases := map[string]struct{ in, want string }{
		"resume": {"resume with: byok resume r-1",
			"resume with: byok resume --state '/tmp/a b.db' --estate e.yaml --state-location s3://byok-state/team r-1"},
		"audit show takes only --state": {"(byok audit show --run r-1)", "(byok audit show --state '/tmp/a b.db' --run r-1)"},
		"runs show reads the shared location": {"(byok runs show r-1)",
			"(byok runs show --state '/tmp/a b.db' --estate e.yaml --state-location s3://byok-state/team r-1)"},
		"two in one line": {"byok lock status; then byok resume r-2",
			"byok lock status --state '/tmp/a b.db' --estate e.yaml --state-location s3://byok-state/team; then byok resume --state '/tmp/a b.db' --estate e.yaml --state-location s3://byok-state/team r-2"},
		"flag already named": {"byok resume r-1 --state <that file>",
			"byok resume --estate e.yaml --state-location s3://byok-state/team r-1 --state <that file>"},
		"a path is not a command": {"/tmp/bin/byok resume r-1", "/tmp/bin/byok resume r-1"},
		"unknown command":         {"byok frobnicate now", "byok frobnicate now"},
		"no command":              {"byok rotates keys", "byok rotates keys"},
		"error prefix":            {"byok resume: run r-1 failed", "byok resume: run r-1 failed"},
		"a banner":                {"# byok sandbox on http://127.0.0.1:1", "# byok sandbox on http://127.0.0.1:1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := f.rewrite(tc.in); got != tc.want {
				t.Fatalf("rewrite(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// The writer rewrites whole lines, passes a partial line without "byok"
// at once (a progress line on a TTY), and flushes the rest.
func TestFollowUpWriter(t *testing.T) {
	var out bytes.Buffer
	fw := &followUpWriter{w: &out, f: &followUp{flags: [][2]string{{"state", "s.db"}}}}
	_, _ = fw.Write([]byte("step 1/3\r"))
	_, _ = fw.Write([]byte("waiting"))
	if got := out.String(); got != "step 1/3\rwaiting" {
		t.Fatalf("partial lines held back: %q", got)
	}
	_, _ = fw.Write([]byte("\nresume with: by"))
	_, _ = fw.Write([]byte("ok resume r-1\nbyok runs list"))
	fw.Flush()
	if !strings.HasSuffix(out.String(), "resume with: byok resume --state s.db r-1\nbyok runs list --state s.db") {
		t.Fatalf("out = %q", out.String())
	}
}
