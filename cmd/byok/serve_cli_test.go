package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestServeFlags: --help on stdout with exit 0; bad flags and listen
// addresses are exit 64 with the fix named.
func TestServeFlags(t *testing.T) {
	tests := map[string]struct {
		args       []string
		code       int
		out, inErr string
	}{
		"help":         {[]string{"serve", "--help"}, 0, "Usage: byok serve", ""},
		"extra arg":    {[]string{"serve", "now"}, 64, "", "takes only flags"},
		"bad format":   {[]string{"serve", "--log-format", "xml"}, 64, "", "use text or json"},
		"remote plain": {[]string{"serve", "--listen", "0.0.0.0:0"}, 64, "", "--tls-cert, --tls-key and --token-file"},
		"bad listen":   {[]string{"serve", "--listen", "nowhere"}, 64, "", "HOST:PORT"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errb)
			if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.inErr) {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out.String(), errb.String())
			}
		})
	}
}
