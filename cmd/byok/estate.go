package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/byok-dev/byok/internal/estate"
)

func init() {
	register(&command{
		Name:    "estate validate",
		Summary: "check an estate file (byok.yaml) and list every problem",
		Main:    estateValidate,
	})
	register(&command{
		Name:    "estate show",
		Summary: "list the estate's keys: alias, accounts, region, replicas",
		Main:    estateShow,
	})
}

// estateParseFlags parses args with the shared parser (parseFlags): flag.ErrHelp
// for -h, a usage error (exit 64) for a bad flag.
func estateParseFlags(fs *flag.FlagSet, args []string) error {
	return parseFlags(fs, args)
}

func estateValidate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("estate validate", "FILE",
		"Parse FILE strictly and print every problem with file:line:col and a hint.\n"+
			"Exit status 1 when FILE is invalid. See examples/estate.yaml for a complete file.")
	fs.SetOutput(stderr)
	if err := estateParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return &exitError{Code: 64, Err: errors.New("expected exactly one FILE, e.g. byok estate validate byok.yaml")}
	}
	est, err := estate.Load(fs.Arg(0))
	if err != nil {
		return estateProblems(stderr, fs.Arg(0), err)
	}
	fmt.Fprintf(stdout, "ok: %d keys across %d accounts\n", len(est.Keys()), len(est.Accounts()))
	// An expired exception is no error: the file stays valid (the Config
	// rule keeps reading it), and the resources it covered are reported
	// NON_COMPLIANT again.
	for _, w := range est.ExceptionWarnings(time.Now()) {
		fmt.Fprintln(stderr, "warning: "+w)
	}
	return nil
}

// estateProblems prints each located problem on its own line and returns
// an exit error summing them up; other errors (unreadable file) pass through.
func estateProblems(stderr io.Writer, source string, err error) error {
	problems := estate.Errors(err)
	if len(problems) == 0 {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stderr, p)
	}
	return &exitError{Code: 1, Err: fmt.Errorf("%s: %d problem(s); fix them and run byok estate validate again", source, len(problems))}
}

func estateShow(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("estate show", "[--estate FILE] [--format table|json]",
		"List every key of the estate: environment, service, alias, alias ARN, Security\n"+
			"account, consumer account, region and replica regions.\n"+
			"The estate is --estate, else $"+estate.EnvVar+", else ./"+estate.DefaultFile+", else the embedded example.")
	fs.SetOutput(stderr)
	file := fs.String("estate", "", "estate file (default $"+estate.EnvVar+", ./"+estate.DefaultFile+", or the embedded example)")
	format := addFormatFlag(fs, "json")
	if err := estateParseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := format.check("estate show"); err != nil {
		return err
	}
	est, source, err := estate.Resolve(*file)
	if err != nil {
		return estateProblems(stderr, source, err)
	}
	if source == estate.ExampleSource {
		fmt.Fprintf(stderr, "byok: no --estate, $%s or ./%s; showing the %s\n", estate.EnvVar, estate.DefaultFile, estate.ExampleSource)
	}
	if format.is("json") {
		return estateShowJSON(stdout, est.Keys())
	}
	return estateShowTable(stdout, est.Keys())
}

// estateKeyView is the JSON shape of one key in `estate show --format json`.
type estateKeyView struct {
	Env             string   `json:"env"`
	Service         string   `json:"service"`
	Alias           string   `json:"alias"`
	AliasARN        string   `json:"alias_arn"`
	SecurityAccount string   `json:"security_account"`
	ConsumerAccount string   `json:"consumer_account"`
	Region          string   `json:"region"`
	Replicas        []string `json:"replicas"`
}

func estateShowJSON(w io.Writer, keys []estate.Key) error {
	views := make([]estateKeyView, len(keys))
	for i, k := range keys {
		views[i] = estateKeyView{Env: k.Env, Service: string(k.Service), Alias: k.Alias, AliasARN: k.AliasARN(),
			SecurityAccount: k.Account, ConsumerAccount: k.Consumer, Region: k.Region,
			Replicas: append([]string{}, k.Replicas...)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(views); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func estateShowTable(w io.Writer, keys []estate.Key) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENV\tSERVICE\tALIAS\tALIAS ARN\tSECURITY\tCONSUMER\tREGION\tREPLICAS")
	for _, k := range keys {
		replicas := "-"
		if len(k.Replicas) > 0 {
			replicas = strings.Join(k.Replicas, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.Env, k.Service, k.Alias, k.AliasARN(),
			k.Account, k.Consumer, k.Region, replicas)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}
