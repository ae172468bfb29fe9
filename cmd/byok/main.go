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
	"sort"
	"strings"
	"syscall"
)

// command is one byok subcommand. Main receives the arguments after the
// command's name (and after the group word for grouped commands such as
// "estate validate") and the writers to use (tests pass their own), and
// returns an error; it must not call os.Exit.
type command struct {
	Name    string // e.g. "scan" or "estate validate"
	Summary string // one line for byok --help
	Main    func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.Name]; dup {
		panic("byok: duplicate command " + c.Name)
	}
	commands[c.Name] = c
}

// exitError carries a specific exit code (e.g. scan: 2 = non-compliant).
type exitError struct {
	Code int
	Err  error
}

func (e *exitError) Error() string { return e.Err.Error() }
func (e *exitError) Unwrap() error { return e.Err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	c, rest := lookup(args)
	if c == nil {
		fmt.Fprintf(stderr, "byok: unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
		usage(stderr)
		return 64
	}
	err := c.Main(ctx, rest, stdout, stderr)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.Err != nil && ee.Err.Error() != "" {
			fmt.Fprintf(stderr, "byok %s: %v\n", c.Name, ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "byok %s: %v\n", c.Name, err)
	return 1
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

func usage(w io.Writer) {
	fmt.Fprintln(w, "byok rotates AWS KMS keys with key material imported from your HSM (BYOK)")
	fmt.Fprintln(w, "and reports RDS, DynamoDB and S3 resources that break the rotation policy.")
	fmt.Fprintln(w, "\nUsage: byok <command> [flags]   (byok <command> --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-22s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w, "\nAWS access: the standard SDK chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, …).")
	fmt.Fprintln(w, "Set AWS_ENDPOINT_URL to talk to `byok sandbox` instead of AWS.")
}

// newFlagSet returns a FlagSet whose usage names the command and says what it does.
func newFlagSet(name, synopsis, doc string) *flag.FlagSet {
	fs := flag.NewFlagSet("byok "+name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: byok %s %s\n\n%s\n\nFlags:\n", name, synopsis, doc)
		fs.PrintDefaults()
	}
	return fs
}
