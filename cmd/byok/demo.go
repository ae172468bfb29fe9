package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/byok-dev/byok/internal/demo"
)

func init() {
	register(&command{Name: "demo", Summary: "the seed scenario end to end on a local sandbox and SoftHSM2 token (no AWS account)",
		Main: demoCmd})
}

const demoDoc = `Stand up the seed's architecture in-process — a sandbox AWS with the Security
(111111111111), dev (222222222222) and prod (333333333333) accounts, KMS keys by
environment × service with aliases, RDS, DynamoDB and S3 resources, some keys 400
days old and one expiring in 10 days — plus a throwaway SoftHSM2 token, and walk
through: scan → plan → re-import of the expiring material without expiry and
in-place rotation of the overdue keys → verification from dev and prod →
CloudTrail watch → a new-key rotation of alias/prod/rds and alias/prod/s3 →
migrate plan + apply of the prod database and cluster and of prod's archive bucket
with its 40 objects it left on the old keys (writers-stopped confirmed by the demo
as the operator; the sandbox clock moved through RDS's states) → retire of both old
keys (the owner deletes the originals kept for rollback; a 15-minute quiet period
of sandbox time) → the resource owners' fixes of buckets and tables no rotation can
fix (not byok's) → scan again (0 NON_COMPLIANT) → every S3 object and canary read
back → audit verify.

Needs no AWS account and no configuration; reads no AWS settings from the
environment. Writes demo-report.json and demo-report.html into --report-dir.
Exit status 0 when every phase proved what it claims, 1 otherwise.`

type demoFlags struct {
	dir, reportDir string
	keep, noColor  bool
	verbose        bool
}

func parseDemoFlags(args []string, stderr io.Writer) (demoFlags, error) {
	fs := newFlagSet("demo", "[--dir DIR] [--report-dir DIR] [--keep] [--no-color]", demoDoc)
	fs.SetOutput(stderr)
	var f demoFlags
	fs.StringVar(&f.dir, "dir", demo.DefaultDir, "directory for the demo's token configuration and state store (replaced on each run)")
	fs.StringVar(&f.reportDir, "report-dir", ".", "directory for demo-report.json and demo-report.html")
	fs.BoolVar(&f.keep, "keep", false, "leave the sandbox running afterwards and print the exports to use it (until Ctrl-C)")
	fs.BoolVar(&f.noColor, "no-color", false, "no ANSI colour (also: NO_COLOR set, or stdout not a terminal)")
	fs.BoolVar(&f.verbose, "v", false, "log every component's steps to stderr")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, &exitError{Code: exitUsage, Err: fmt.Errorf("unexpected argument %q; byok demo takes only flags (see byok demo --help)", fs.Arg(0))}
	}
	return f, nil
}

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseDemoFlags(args, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelError
	if f.verbose {
		level = slog.LevelInfo
	}
	opts := demo.Options{Dir: f.dir, ReportDir: f.reportDir, Out: stdout, Keep: f.keep,
		Color:   !f.noColor && os.Getenv("NO_COLOR") == "" && isTerminal(stdout),
		Version: buildVersion(),
		Logger:  slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))}
	start := time.Now()
	res, err := demo.Run(ctx, opts)
	if err != nil {
		var pe *demo.PrerequisiteError
		if errors.As(err, &pe) {
			return fmt.Errorf("%w\n\n  fix: %s", err, pe.Hint)
		}
		return err
	}
	fmt.Fprintf(stdout, "byok demo: finished in %.1fs\n", time.Since(start).Seconds())
	if !f.keep {
		return nil
	}
	return keepDemo(ctx, res, stdout)
}

// keepDemo prints the exports for the kept sandbox and serves until ctx ends.
func keepDemo(ctx context.Context, res *demo.Result, stdout io.Writer) error {
	fmt.Fprintln(stdout, "\n# The sandbox keeps running on the demo's state. In another shell:")
	for _, line := range res.Exports() {
		fmt.Fprintf(stdout, "export %s\n", shellQuote(line))
	}
	fmt.Fprintln(stdout, "# then e.g.: byok plan; byok scan; byok runs list; byok audit verify")
	fmt.Fprintln(stdout, "# serving until interrupted (Ctrl-C)")
	<-ctx.Done()
	fmt.Fprintln(stdout, "# stopping")
	return res.Close()
}

// shellQuote quotes the value of NAME=value for a POSIX shell.
func shellQuote(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] == '=' {
			return line[:i+1] + "'" + escapeSingle(line[i+1:]) + "'"
		}
	}
	return line
}

func escapeSingle(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, `'\''`...)
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

// buildVersion is the main module's version from the build info.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}
