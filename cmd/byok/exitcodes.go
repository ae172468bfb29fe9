package main

import (
	"fmt"
	"io"
)

// The exit-code table, the same for every command and documented in
// README.md ("Exit status"); TestExitCodeTable holds the README to it and
// TestEveryCommand runs every registered command against it.
const (
	exitOK       = 0  // the command did what was asked
	exitFailed   = 1  // it failed, or did only part (it says which part)
	exitFindings = 2  // it ran and reports non-compliant resources, failed calls, due keys or what blocks a retire
	exitStopped  = 3  // a rotation run was stopped (signal, --stop-after) and is journaled: byok resume RUN
	exitUsage    = 64 // bad flags or arguments (EX_USAGE of sysexits.h)
)

// exitMeaning is the table as README.md prints it, in order.
var exitMeaning = []struct {
	Code    int
	Meaning string
}{
	{exitOK, "success: the command did what was asked (a scan found nothing non-compliant)"},
	{exitFailed, "failure, or only part done: the message says what was not done"},
	{exitFindings, "the command ran and reports something to act on: non-compliant resources (`scan`), failed KMS calls (`watch`), resources that became non-compliant (`findings diff --exit-code`), due keys (`plan --exit-code`), what `estate discover` could not classify, what still uses a key `retire` was asked to disable or delete"},
	{exitStopped, "a rotation run was stopped (Ctrl-C, SIGTERM) with its journal intact: `byok resume RUN` continues it"},
	{exitUsage, "bad flags or arguments; nothing was done"},
}

// runCommands are the commands that run a journaled rotation and so may
// exit 3 (stopped, resumable).
var runCommands = map[string]bool{"rotate": true, "resume": true, "retire": true,
	"migrate apply": true, "migrate resume": true, "migrate rollback": true}

// exitStatus maps a command's exit code to the table: a code the table
// does not hold, or exitFindings from a command that never reports
// findings, is a bug that must not reach a script as a meaningful status.
func exitStatus(c *command, code int, stderr io.Writer) int {
	switch {
	case code == exitFindings && c.Findings == "":
		fmt.Fprintf(stderr, "byok %s: internal error: exit status 2 from a command that reports no findings; reporting 1\n", c.Name)
		return exitFailed
	case code == exitStopped && !runCommands[c.Name]:
		fmt.Fprintf(stderr, "byok %s: internal error: exit status 3 from a command that runs no rotation; reporting 1\n", c.Name)
		return exitFailed
	case code == exitOK, code == exitFailed, code == exitFindings, code == exitStopped, code == exitUsage:
		return code
	}
	fmt.Fprintf(stderr, "byok %s: internal error: exit status %d is not in the exit-code table; reporting 1\n", c.Name, code)
	return exitFailed
}
