package main

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
)

func testFlagSet() (*flag.FlagSet, *string, *bool) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s := fs.String("estate", "", "")
	b := fs.Bool("v", false, "")
	return fs, s, b
}

func TestParseFlagsEitherSide(t *testing.T) {
	cases := map[string]struct {
		args     []string
		estate   string
		v        bool
		pos      []string
		wantCode int // 0: no error
	}{
		"flags first":        {[]string{"--estate", "e.yaml", "RUN"}, "e.yaml", false, []string{"RUN"}, 0},
		"flags last":         {[]string{"RUN", "--estate", "e.yaml"}, "e.yaml", false, []string{"RUN"}, 0},
		"between":            {[]string{"A", "-v", "B", "--estate=e.yaml", "C"}, "e.yaml", true, []string{"A", "B", "C"}, 0},
		"bool then arg":      {[]string{"-v", "RUN"}, "", true, []string{"RUN"}, 0},
		"double dash":        {[]string{"--estate", "e", "--", "-v", "--x"}, "e", false, []string{"-v", "--x"}, 0},
		"value looks a flag": {[]string{"--estate", "-v"}, "-v", false, nil, 0},
		"lone dash is arg":   {[]string{"-", "-v"}, "", true, []string{"-"}, 0},
		"unknown after arg":  {[]string{"RUN", "--nope"}, "", false, nil, exitUsage},
		"missing value":      {[]string{"RUN", "--estate"}, "", false, nil, exitUsage},
		"missing 2nd value":  {[]string{"--estate", "--estate", "--estate"}, "", false, nil, exitUsage},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			fs, s, b := testFlagSet()
			err := parseFlags(fs, c.args)
			if c.wantCode != 0 {
				var ee *exitError
				if !errors.As(err, &ee) || ee.Code != c.wantCode {
					t.Fatalf("parseFlags(%q) = %v, want exit %d", c.args, err, c.wantCode)
				}
				return
			}
			if err != nil || *s != c.estate || *b != c.v || !slices.Equal(fs.Args(), c.pos) && len(c.pos)+fs.NArg() > 0 {
				t.Fatalf("parseFlags(%q) = %v: estate %q v %v args %q", c.args, err, *s, *b, fs.Args())
			}
		})
	}
	fs, _, _ := testFlagSet()
	if err := parseFlags(fs, []string{"RUN", "--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help after an argument = %v, want flag.ErrHelp", err)
	}
}

func TestFlagValue(t *testing.T) {
	cases := map[string]struct {
		args []string
		want string
	}{
		"separate":        {[]string{"scan", "--profile", "p1"}, "p1"},
		"equals":          {[]string{"--profile=p2", "x"}, "p2"},
		"single dash":     {[]string{"-profile", "p3"}, "p3"},
		"last wins":       {[]string{"--profile", "a", "--profile=b"}, "b"},
		"after --":        {[]string{"--", "--profile", "p"}, ""},
		"absent":          {[]string{"--profiles", "p"}, ""},
		"no value at end": {[]string{"--profile"}, ""},
	}
	for name, c := range cases {
		if got := flagValue(c.args, "profile"); got != c.want {
			t.Errorf("%s: flagValue(%q) = %q, want %q", name, c.args, got, c.want)
		}
	}
}

// FuzzSplitArgs: splitting never loses, invents or reorders a token (other
// than the "--" it consumes), and parsing never panics.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{"--estate e RUN", "RUN --estate e -v", "-v -- -x", "--estate=e - --", "--estate", "a\x00b --=x -=", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, " ")
		fs, _, _ := testFlagSet()
		flags, pos, _ := splitArgs(fs, args)
		got := append(slices.Clone(flags), pos...)
		slices.Sort(got)
		all := slices.Sorted(slices.Values(args))
		withoutDashes := slices.Clone(all)
		if i := slices.Index(withoutDashes, "--"); i >= 0 {
			withoutDashes = slices.Delete(withoutDashes, i, i+1)
		}
		if !slices.Equal(got, all) && !slices.Equal(got, withoutDashes) {
			t.Fatalf("split %q into %q + %q", args, flags, pos)
		}
		_ = parseFlags(fs, args)
	})
}
