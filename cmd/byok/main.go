// Command byok rotates AWS KMS keys whose material is imported from an
// on-premises HSM and reports which RDS, DynamoDB and S3 resources break the
// rotation policy. Each subcommand lives in its own file and registers
// itself in init; this file only dispatches.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/byok-dev/byok/internal/awsx"
)

// command is one byok subcommand. Main receives the arguments after the
// command's name (and after the group word for grouped commands such as
// "estate validate") and the writers to use (tests pass their own), and
// returns an error; it must not call os.Exit. It parses its flags with
// parseFlags.
type command struct {
	Name     string // e.g. "scan" or "estate validate"
	Summary  string // one line for byok --help
	Findings string // what exit status 2 reports; empty: the command never exits 2
	Main     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.Name]; dup {
		panic("byok: duplicate command " + c.Name)
	}
	commands[c.Name] = c
}

// exitError carries a specific exit code from the table in exitcodes.go.
type exitError struct {
	Code int
	Err  error
}

func (e *exitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *exitError) Unwrap() error { return e.Err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 && args[0] == "help" { // byok help rotate = byok rotate --help
		return run(ctx, append(args[1:], "--help"), stdout, stderr)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		usage(stdout)
		return exitOK
	}
	if hasFlag(args, "version") || args[0] == "version" {
		printVersion(stdout)
		return exitOK
	}
	c, rest := lookup(args)
	if c == nil {
		return groupOrUnknown(args, stdout, stderr)
	}
	if wantsHelp(rest) {
		stderr = stdout
	} else if fl := invocationFlags(rest); len(fl) > 0 {
		// Printed follow-up commands carry the invocation's flags (followup.go).
		f := &followUp{flags: fl}
		fo, fe := &followUpWriter{w: stdout, f: f}, &followUpWriter{w: stderr, f: f}
		defer fo.Flush()
		defer fe.Flush()
		stdout, stderr = fo, fe
	}
	ctx = withAWSFlags(ctx, rest)
	return exitStatus(c, exitCodeOf(c, c.Main(ctx, rest, stdout, stderr), stderr), stderr)
}

// exitCodeOf prints a command's error and returns its exit code.
func exitCodeOf(c *command, err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	err = awsx.Explain(err)
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.Err != nil && ee.Err.Error() != "" {
			fmt.Fprintf(stderr, "byok %s: %v\n", c.Name, err)
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "byok %s: %v\n", c.Name, err)
	return exitFailed
}

// groupOrUnknown handles "byok estate" and "byok estate --help" (a group
// word alone lists its commands) and unknown commands.
func groupOrUnknown(args []string, stdout, stderr io.Writer) int {
	group := groupCommands(args[0])
	if len(group) == 0 {
		fmt.Fprintf(stderr, "byok: unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
		usage(stderr)
		return exitUsage
	}
	if len(args) > 1 && wantsHelp(args[1:2]) {
		groupUsage(stdout, args[0], group)
		return exitOK
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "byok: unknown command %q\n\n", args[0]+" "+args[1])
	} else {
		fmt.Fprintf(stderr, "byok %s: which one?\n\n", args[0])
	}
	groupUsage(stderr, args[0], group)
	return exitUsage
}

// lookup finds the longest command name matching the leading words of args.
func lookup(args []string) (*command, []string) {
	if len(args) >= 2 {
		if c, ok := commands[args[0]+" "+args[1]]; ok {
			return c, args[2:]
		}
	}
	if c, ok := commands[args[0]]; ok {
		return c, args[1:]
	}
	return nil, nil
}

// newFlagSet returns a FlagSet whose usage names the command and says what it does.
func newFlagSet(name, synopsis, doc string) *flag.FlagSet {
	fs := flag.NewFlagSet("byok "+name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: byok %s %s\n\n%s\n\nFlags (before or after the arguments):\n", name, synopsis, doc)
		fs.PrintDefaults()
		fmt.Fprintln(out, "\n"+exitSummary(commands[name]))
	}
	return fs
}

// exitSummary is the exit-code table as it applies to c.
func exitSummary(c *command) string {
	s := "Exit status: 0 ok, 1 failed (or only part done)"
	if c != nil && c.Findings != "" {
		s += ", 2 " + c.Findings
	}
	if c != nil && runCommands[c.Name] {
		s += ", 3 the run was stopped (Ctrl-C, SIGTERM): byok resume RUN continues it"
	}
	return s + ", 64 usage (see README, Exit status)."
}
