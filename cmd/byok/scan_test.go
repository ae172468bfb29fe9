package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/store"
)

func TestParseScanFlags(t *testing.T) {
	cases := map[string]struct {
		args     []string
		code     int    // 0: no error
		errHas   string // part of the error message
		accounts []string
		regions  []string
		format   report.Format
	}{
		"defaults":         {args: nil, format: report.FormatTable},
		"all set":          {args: []string{"--format", "ASFF", "--accounts", "222222222222, 333333333333,222222222222", "--regions", "eu-west-1,us-gov-west-1", "--fail-on", "none", "--save"}, format: report.FormatASFF, accounts: []string{"222222222222", "333333333333"}, regions: []string{"eu-west-1", "us-gov-west-1"}},
		"bad format":       {args: []string{"--format", "yaml"}, code: exitUsage, errHas: "use one of table, json, csv, asff, ocsf"},
		"bad account":      {args: []string{"--accounts", "2222"}, code: exitUsage, errHas: `--accounts: "2222" is not a 12-digit account ID`},
		"empty account":    {args: []string{"--accounts", "222222222222,"}, code: exitUsage, errHas: `--accounts: "" is not`},
		"bad region":       {args: []string{"--regions", "Europe"}, code: exitUsage, errHas: `--regions: "Europe" is not a region name`},
		"unknown region":   {args: []string{"--regions", "eu-west-1,eu-west-9"}, code: exitUsage, errHas: `unknown AWS Region "eu-west-9"`},
		"bad fail-on":      {args: []string{"--fail-on", "always"}, code: exitUsage, errHas: "use non-compliant or none"},
		"positional":       {args: []string{"byok.yaml"}, code: exitUsage, errHas: "takes only flags"},
		"unknown flag":     {args: []string{"--colour"}, code: exitUsage},
		"region list dups": {args: []string{"--regions", "eu-west-1,eu-west-1"}, regions: []string{"eu-west-1"}, format: report.FormatTable},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f, err := parseScanFlags(c.args, io.Discard)
			if c.code == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if f.fmt != c.format || strings.Join(f.accounts, ",") != strings.Join(c.accounts, ",") || strings.Join(f.regions, ",") != strings.Join(c.regions, ",") {
					t.Fatalf("got format %v accounts %v regions %v", f.fmt, f.accounts, f.regions)
				}
				return
			}
			var ee *exitError
			if !errors.As(err, &ee) || ee.Code != c.code {
				t.Fatalf("want exit code %d, got %v", c.code, err)
			}
			if !strings.Contains(ee.Error(), c.errHas) {
				t.Fatalf("error %q lacks %q", ee.Error(), c.errHas)
			}
		})
	}
	if _, err := parseScanFlags([]string{"--format", "yaml"}, io.Discard); !errors.Is(err, report.ErrUnknownFormat) {
		t.Fatalf("bad format must wrap report.ErrUnknownFormat, got %v", err)
	}
	if _, err := parseScanFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h must be flag.ErrHelp, got %v", err)
	}
}

func TestScanExit(t *testing.T) {
	nc := compliance.Result{Verdict: compliance.NonCompliant}
	ok := compliance.Result{Verdict: compliance.Compliant}
	nodata := compliance.Result{Verdict: compliance.InsufficientData}
	incomplete := report.Meta{Errors: []report.ScanError{{Account: "222222222222", Region: "eu-west-1", Service: "s3", Message: "denied"}}}
	cases := map[string]struct {
		failOn string
		rep    report.Report
		code   int
	}{
		"all compliant":                {"non-compliant", report.Report{Results: []compliance.Result{ok, nodata}}, 0},
		"non-compliant":                {"non-compliant", report.Report{Results: []compliance.Result{ok, nc}}, scanExitNonCompliant},
		"non-compliant, fail-on none":  {"none", report.Report{Results: []compliance.Result{nc}}, 0},
		"incomplete":                   {"non-compliant", report.Report{Meta: incomplete, Results: []compliance.Result{ok}}, scanExitIncomplete},
		"incomplete and non-compliant": {"non-compliant", report.Report{Meta: incomplete, Results: []compliance.Result{nc}}, scanExitNonCompliant},
		"incomplete, fail-on none":     {"none", report.Report{Meta: incomplete, Results: []compliance.Result{nc}}, scanExitIncomplete},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := scanExit(scanFlags{failOn: c.failOn}, report.Summarize(c.rep.Results), c.rep.Meta)
			code := 0
			var ee *exitError
			if errors.As(err, &ee) {
				code = ee.Code
			} else if err != nil {
				t.Fatalf("non-exit error %v", err)
			}
			if code != c.code {
				t.Fatalf("exit code %d, want %d (%v)", code, c.code, err)
			}
		})
	}
}

func FuzzSplitList(f *testing.F) {
	for _, s := range []string{"", "222222222222", "222222222222,333333333333", " 222222222222 ,", ",,", "eu-west-1", "\xff,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := splitList("--accounts", s, accountIDRE, "an account")
		if err != nil {
			if out != nil {
				t.Fatalf("error with output %v", out)
			}
			return
		}
		seen := map[string]bool{}
		for _, a := range out {
			if !accountIDRE.MatchString(a) || seen[a] {
				t.Fatalf("bad or duplicate item %q in %v", a, out)
			}
			seen[a] = true
		}
	})
}

func TestProgressOnlyOnTerminal(t *testing.T) {
	var buf strings.Builder
	quiet := newProgress(&buf, 4) // not a terminal
	quiet.step(inventory.Target{}, "s3", 10)
	quiet.done()
	if buf.Len() != 0 {
		t.Fatalf("progress written to a non-terminal: %q", buf.String())
	}
	bar := &progress{w: &buf, total: 4}
	bar.step(inventory.Target{}, "s3", 10)
	bar.step(inventory.Target{}, "rds", 5)
	if !strings.Contains(buf.String(), "2/4 listings, 15 resources") {
		t.Fatalf("bar: %q", buf.String())
	}
	bar.done()
	if !strings.HasSuffix(buf.String(), "\r\x1b[K") {
		t.Fatalf("bar not erased: %q", buf.String())
	}
}

func TestFindingsDiffErrors(t *testing.T) {
	dir := t.TempDir()
	one := filepath.Join(dir, "one.db")
	st, err := store.Open(context.Background(), one)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveScan(context.Background(), time.Now(), []store.Finding{{ResourceType: "AWS::S3::Bucket", ResourceID: "b", Account: "222222222222", Region: "eu-west-1", Verdict: "COMPLIANT"}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cases := map[string]struct {
		args []string
		want error
	}{
		"no state file":  {[]string{"--state", filepath.Join(dir, "missing.db")}, fs.ErrNotExist},
		"one scan":       {[]string{"--state", one}, store.ErrNoPreviousScan},
		"bad format":     {[]string{"--state", one, "--format", "csv"}, nil},
		"positional arg": {[]string{"extra"}, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := findingsDiff(context.Background(), c.args, io.Discard, io.Discard)
			if c.want != nil {
				if !errors.Is(err, c.want) {
					t.Fatalf("got %v, want %v", err, c.want)
				}
				return
			}
			var ee *exitError
			if !errors.As(err, &ee) || ee.Code != exitUsage {
				t.Fatalf("want usage exit, got %v", err)
			}
		})
	}
}
