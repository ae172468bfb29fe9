package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

func init() {
	register(&command{Name: "sandbox", Summary: "serve a local AWS (KMS, STS, CloudTrail, RDS, …) for the demo and tests",
		Main: runSandbox})
}

// faultFlags collects repeated --fault service:Operation:Code:probability.
type faultFlags []faults.Rule

func (f *faultFlags) String() string { return "" }

func (f *faultFlags) Set(v string) error {
	r, err := parseFault(v)
	if err != nil {
		return err
	}
	*f = append(*f, r)
	return nil
}

// parseFault reads service:Operation:Code:probability; "*" or an empty
// operation matches every operation of the service.
func parseFault(v string) (faults.Rule, error) {
	parts := strings.Split(v, ":")
	if len(parts) != 4 || parts[0] == "" || parts[2] == "" {
		return faults.Rule{}, fmt.Errorf("fault %q: want service:Operation:Code:probability, e.g. kms:Encrypt:ThrottlingException:0.1", v)
	}
	p, err := strconv.ParseFloat(parts[3], 64)
	if err != nil || p <= 0 || p > 1 {
		return faults.Rule{}, fmt.Errorf("fault %q: probability must be a number in (0, 1]", v)
	}
	op := parts[1]
	if op == "*" {
		op = ""
	}
	return faults.Rule{Service: parts[0], Operation: op, Code: parts[2], Probability: p, Status: faultStatus(parts[2])}, nil
}

// lostAnswerFlags collects repeated --fault-after service:Operation:probability.
type lostAnswerFlags struct{ rules *faultFlags }

func (f lostAnswerFlags) String() string { return "" }

func (f lostAnswerFlags) Set(v string) error {
	r, err := parseFaultAfter(v)
	if err != nil {
		return err
	}
	*f.rules = append(*f.rules, r)
	return nil
}

// parseFaultAfter reads service:Operation:probability: the call takes
// effect and its answer is replaced by a 500 InternalFailure, as when a
// network drops the response (the SDK then retries).
func parseFaultAfter(v string) (faults.Rule, error) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 || parts[0] == "" {
		return faults.Rule{}, fmt.Errorf("fault-after %q: want service:Operation:probability, e.g. kms:ImportKeyMaterial:0.5", v)
	}
	p, err := strconv.ParseFloat(parts[2], 64)
	if err != nil || p <= 0 || p > 1 {
		return faults.Rule{}, fmt.Errorf("fault-after %q: probability must be a number in (0, 1]", v)
	}
	op := parts[1]
	if op == "*" {
		op = ""
	}
	return faults.Rule{Service: parts[0], Operation: op, Code: "InternalFailure", Probability: p,
		Status: 500, Message: "injected lost answer: the call took effect", After: true}, nil
}

func faultStatus(code string) int {
	switch {
	case strings.Contains(code, "Throttl"), strings.Contains(code, "LimitExceeded"):
		return 400
	case strings.Contains(code, "Unavailable"):
		return 503
	}
	return 500
}

type sandboxFlags struct {
	listen, state, seed string
	exports             string
	quotas, remote      bool
	latency             time.Duration
	faults              faultFlags
}

func parseSandboxFlags(args []string, stderr io.Writer) (*sandboxFlags, error) {
	fs := newFlagSet("sandbox", "[--listen ADDR] [--state FILE] [--seed estate.yaml|demo|none] [--fault …]",
		"Serve an AWS-compatible endpoint (KMS, STS, CloudTrail, RDS, …) on one loopback port and print\n"+
			"the credentials of each seeded account as environment exports. With --state, everything\n"+
			"acknowledged survives a restart, even after SIGKILL; a seeded state is not seeded again.\n"+
			"With --exports FILE, a script can wait for FILE and source it (see README, By hand).\n"+
			"Also: byok sandbox config-invoke (the Config rule on a running sandbox's events).")
	fs.SetOutput(stderr)
	var f sandboxFlags
	fs.StringVar(&f.listen, "listen", "127.0.0.1:4566", "`host:port` to serve on (port 0 picks a free port)")
	fs.StringVar(&f.state, "state", "", "state `file` (empty: in memory, lost on exit)")
	fs.StringVar(&f.seed, "seed", "demo", "seed the `estate`: an estate file, demo (examples/estate.yaml) or none")
	fs.BoolVar(&f.quotas, "enforce-quotas", false, "throttle at AWS's request quotas per account and operation")
	fs.DurationVar(&f.latency, "latency", 0, "latency to add to every call, e.g. 20ms")
	fs.Var(&f.faults, "fault", "inject `service:Operation:Code:prob` (repeatable; Operation * for all)")
	fs.Var(lostAnswerFlags{&f.faults}, "fault-after", "lose the answer of `service:Operation:prob` calls after they take effect (a 500; repeatable)")
	fs.BoolVar(&f.remote, "allow-remote", false, "allow a non-loopback --listen address (exposes credentials)")
	fs.StringVar(&f.exports, "exports", "", "write the security account's exports to `file` once ready, to source\n(removed at start, so waiting for it to exist waits for readiness)")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	return &f, noArgs(fs)
}

func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseSandboxFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := removeExports(f.exports); err != nil {
		return err
	}
	sb, err := startSandbox(ctx, f, stdout)
	if err != nil {
		return err
	}
	defer sb.Close()
	if err := writeExports(f.exports, sb); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "# ready: serving until interrupted (Ctrl-C)")
	<-ctx.Done()
	fmt.Fprintln(stdout, "# stopping")
	return sb.Close()
}

// startSandbox opens, serves and seeds the sandbox and prints the exports.
// Faults, latency and quotas are traffic: the seed bypasses them.
func startSandbox(ctx context.Context, f *sandboxFlags, stdout io.Writer) (*sandboxrun.Sandbox, error) {
	sb, err := sandboxrun.New(sandboxrun.Options{StatePath: f.state, EnforceQuotas: f.quotas,
		Latency: f.latency, Faults: f.faults, AllowRemote: f.remote})
	if err != nil {
		return nil, err
	}
	url, err := sb.Start(ctx, f.listen)
	if err != nil {
		return nil, errors.Join(err, sb.Close())
	}
	fmt.Fprintf(stdout, "# byok sandbox on %s (state: %s)\n", url, stateName(f.state))
	if f.remote {
		fmt.Fprintln(stdout, "# WARNING: --allow-remote: this sandbox answers on a non-loopback address. Its account secrets")
		fmt.Fprintln(stdout, "# are random and its admin endpoint needs the token below; anyone who reads these exports can use it.")
	}
	if err := seedSandbox(ctx, sb, f.seed, stdout); err != nil {
		return nil, errors.Join(err, sb.Close())
	}
	if err := sb.Publish(); err != nil {
		return nil, errors.Join(err, sb.Close())
	}
	printExports(stdout, sb)
	return sb, nil
}

func stateName(path string) string {
	if path == "" {
		return "in memory"
	}
	return path
}

func seedSandbox(ctx context.Context, sb *sandboxrun.Sandbox, what string, out io.Writer) error {
	if what == "none" {
		return nil
	}
	if m, ok := sb.Seeded(); ok {
		fmt.Fprintf(out, "# state already seeded from %s at %s; not seeding again\n", m.Source, m.At.Format(time.RFC3339))
		return nil
	}
	est, opts, err := seedEstate(what)
	if err != nil {
		return err
	}
	res, err := seed.Apply(ctx, sb, est, opts)
	if err != nil {
		return fmt.Errorf("seed %s: %w", what, err)
	}
	fmt.Fprintf(out, "# seeded %s: %d accounts, %d roles, %d keys\n", what, len(res.Accounts), len(res.Roles), len(res.Keys))
	return nil
}

func seedEstate(what string) (*estate.Estate, seed.Options, error) {
	opts := seed.Demo()
	opts.Resources = sandboxrun.DemoResources
	if what == "demo" {
		est, err := seed.DemoEstate()
		return est, opts, err
	}
	est, err := estate.Load(what)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, opts, fmt.Errorf("--seed %s: %w (give an estate file, demo or none)", what, err)
		}
		return nil, opts, err
	}
	opts.Source = what
	return est, opts, nil
}

func printExports(out io.Writer, sb *sandboxrun.Sandbox) {
	accounts := sb.Accounts()
	if len(accounts) == 0 {
		fmt.Fprintln(out, "# no accounts: seed with --seed demo or --seed estate.yaml")
	}
	for _, a := range accounts {
		fmt.Fprintf(out, "\n# account %s (%s)\n", a.Name, a.ID)
		for _, line := range sb.Exports(a.ID) {
			fmt.Fprintf(out, "export %s\n", line)
		}
	}
	fmt.Fprintln(out)
}

var _ flag.Value = (*faultFlags)(nil)
