package main

import (
	"bytes"
	"context"
	"testing"
)

// cliRun runs the byok CLI in-process through run with its own writers and
// returns the exit code and what each writer received.
func cliRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}
