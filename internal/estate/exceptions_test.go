package estate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var exceptionNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// exc renders one exceptions: entry from line 12 on (line 11 is "exceptions:").
func exc(fields ...string) string {
	return withLines(nil, append([]string{"exceptions:", "  - " + fields[0]}, indent(fields[1:])...)...)
}

func indent(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "    " + l
	}
	return out
}

const (
	excRes      = `resource: "arn:aws:s3:::legacy-*"`
	excReason   = `reason: "vendor appliance cannot re-encrypt until Q3"`
	excApprover = `approver: jane.doe@example.com`
	excExpires  = `expires: 2026-12-31`
)

var exceptionErrCases = map[string]errCase{
	"unknown field":     {exc(excRes, excReason, excApprover, excExpires, "aprover: x"), ErrUnknownField, "exceptions[0].aprover", 16, `did you mean "approver"`},
	"missing approver":  {exc(excRes, excReason, excExpires), ErrMissing, "exceptions[0].approver", 12, ""},
	"missing reason":    {exc(excRes, excApprover, excExpires), ErrMissing, "exceptions[0].reason", 12, ""},
	"missing expires":   {exc(excRes, excReason, excApprover), ErrMissing, "exceptions[0].expires", 12, ""},
	"missing resource":  {exc(excReason, excApprover, excExpires), ErrMissing, "exceptions[0].resource", 12, ""},
	"empty reason":      {exc(excRes, `reason: "  "`, excApprover, excExpires), ErrMissing, "exceptions[0].reason", 13, "why"},
	"not a list":        {withLines(nil, "exceptions: {a: 1}"), ErrType, "exceptions", 11, ""},
	"bad date":          {exc(excRes, excReason, excApprover, "expires: 31/12/2026"), ErrException, "exceptions[0].expires", 15, "YYYY-MM-DD"},
	"date time":         {exc(excRes, excReason, excApprover, "expires: 2026-12-31T00:00:00Z"), ErrException, "exceptions[0].expires", 15, "YYYY-MM-DD"},
	"too far ahead":     {exc(excRes, excReason, excApprover, "expires: 2099-01-01"), ErrException, "exceptions[0].expires", 15, "one year"},
	"not an arn":        {exc(`resource: legacy-bucket`, excReason, excApprover, excExpires), ErrException, "exceptions[0].resource", 12, "arn:aws:s3:::my-bucket"},
	"bad service":       {exc(`resource: "arn:aws:ec2:eu-west-1:222222222222:volume/vol-1"`, excReason, excApprover, excExpires), ErrException, "exceptions[0].resource", 12, ""},
	"bad account":       {exc(`resource: "arn:aws:rds:eu-west-1:2222:db:x"`, excReason, excApprover, excExpires), ErrException, "exceptions[0].resource", 12, ""},
	"whole service":     {exc(`resource: "arn:aws:rds:*:*:*"`, excReason, excApprover, excExpires), ErrException, "exceptions[0].resource", 12, ""},
	"finding typo":      {exc(excRes, excReason, excApprover, excExpires, "finding: MATERIAL_OVERDU"), ErrException, "exceptions[0].finding", 16, `did you mean "MATERIAL_OVERDUE"`},
	"finding unknown":   {exc(excRes, excReason, excApprover, excExpires, "finding: overdue"), ErrException, "exceptions[0].finding", 16, "expected one of"},
	"finding not NC":    {exc(excRes, excReason, excApprover, excExpires, "finding: KEY_COMPLIANT"), ErrException, "exceptions[0].finding", 16, ""},
	"duplicate pattern": {exc(excRes, excReason, excApprover, excExpires) + "  - " + excRes + "\n    " + excReason + "\n    " + excApprover + "\n    " + excExpires + "\n", ErrDuplicate, "exceptions[1]", 16, "line 12"},
}

func TestExceptionErrors(t *testing.T) {
	for name, tc := range exceptionErrCases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseAt("e.yaml", []byte(tc.doc), exceptionNow)
			if !errors.Is(err, tc.class) {
				t.Fatalf("error %v, want class %v", err, tc.class)
			}
			for _, e := range Errors(err) {
				if errors.Is(e, tc.class) && e.Field == tc.field && e.Line == tc.line && strings.Contains(e.Hint, tc.hint) {
					return
				}
			}
			t.Fatalf("no %v at %s line %d with hint %q in:\n%v", tc.class, tc.field, tc.line, tc.hint, err)
		})
	}
}

func TestExceptionParsed(t *testing.T) {
	doc := exc(`resource: "arn:aws:rds:eu-west-1:222222222222:db:legacy-*"`, excReason, excApprover, excExpires, "finding: MATERIAL_OVERDUE")
	e, err := ParseAt("e.yaml", []byte(doc), exceptionNow)
	if err != nil {
		t.Fatal(err)
	}
	want := Exception{Pattern: "arn:aws:rds:eu-west-1:222222222222:db:legacy-*", Reason: "vendor appliance cannot re-encrypt until Q3",
		Approver: "jane.doe@example.com", Expires: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Finding: "MATERIAL_OVERDUE", Line: 12}
	if len(e.Exceptions) != 1 || e.Exceptions[0] != want {
		t.Fatalf("exceptions %+v, want %+v", e.Exceptions, want)
	}
}

// An expired exception is no error (the estate, and the Config rule reading
// it, keep working the day after) but a warning naming its line.
func TestExpiredExceptionWarns(t *testing.T) {
	doc := exc(excRes, excReason, excApprover, "expires: 2026-06-14")
	e, err := ParseAt("e.yaml", []byte(doc), exceptionNow)
	if err != nil {
		t.Fatal(err)
	}
	w := e.ExceptionWarnings(exceptionNow)
	if len(w) != 1 || !strings.HasPrefix(w[0], "e.yaml:12: exceptions[0]: expired on 2026-06-14") {
		t.Fatalf("warnings %q", w)
	}
	if w := e.ExceptionWarnings(time.Date(2026, 6, 14, 23, 59, 59, 0, time.UTC)); len(w) != 0 {
		t.Fatalf("warned on the expiry day itself: %q", w)
	}
}

func TestExceptionLiveBoundary(t *testing.T) {
	x := Exception{Expires: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}
	paris := time.FixedZone("CEST", 2*3600)
	for name, tc := range map[string]struct {
		now  time.Time
		live bool
	}{
		"day before":          {time.Date(2026, 6, 29, 12, 0, 0, 0, time.UTC), true},
		"expiry day start":    {time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), true},
		"expiry day last ns":  {time.Date(2026, 6, 30, 23, 59, 59, 999999999, time.UTC), true},
		"next midnight UTC":   {time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), false},
		"day after":           {time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC), false},
		"local 1 Jul, UTC 30": {time.Date(2026, 7, 1, 1, 0, 0, 0, paris), true},
		"local 1 Jul 02:00":   {time.Date(2026, 7, 1, 2, 0, 0, 0, paris), false},
	} {
		if got := x.Live(tc.now); got != tc.live {
			t.Errorf("%s: Live(%s) = %v, want %v", name, tc.now, got, tc.live)
		}
	}
}

func TestMatchARN(t *testing.T) {
	for name, tc := range map[string]struct {
		pattern, arn string
		match        bool
	}{
		"exact bucket":          {"arn:aws:s3:::legacy-logs", "arn:aws:s3:::legacy-logs", true},
		"bucket prefix":         {"arn:aws:s3:::legacy-*", "arn:aws:s3:::legacy-logs", true},
		"prefix other":          {"arn:aws:s3:::legacy-*", "arn:aws:s3:::current-logs", false},
		"star empty run":        {"arn:aws:s3:::legacy-*", "arn:aws:s3:::legacy-", true},
		"rds any region":        {"arn:aws:rds:*:222222222222:db:orders", "arn:aws:rds:eu-west-1:222222222222:db:orders", true},
		"star stays in segment": {"arn:aws:rds:eu-*:db:orders", "arn:aws:rds:eu-west-1:222222222222:db:orders", false},
		"resource colon":        {"arn:aws:rds:eu-west-1:222222222222:*:orders", "arn:aws:rds:eu-west-1:222222222222:cluster:orders", true},
		"other account":         {"arn:aws:dynamodb:eu-west-1:222222222222:table/*", "arn:aws:dynamodb:eu-west-1:333333333333:table/t", false},
		"middle star":           {"arn:aws:dynamodb:eu-west-1:222222222222:table/a*z", "arn:aws:dynamodb:eu-west-1:222222222222:table/abcz", true},
		"middle star no":        {"arn:aws:dynamodb:eu-west-1:222222222222:table/a*z", "arn:aws:dynamodb:eu-west-1:222222222222:table/abc", false},
		"case sensitive":        {"arn:aws:s3:::Legacy", "arn:aws:s3:::legacy", false},
		"not an arn":            {"arn:aws:s3:::x", "x", false},
	} {
		if got := MatchARN(tc.pattern, tc.arn); got != tc.match {
			t.Errorf("%s: MatchARN(%q, %q) = %v", name, tc.pattern, tc.arn, got)
		}
	}
}

func TestCheckARNPattern(t *testing.T) {
	good := []string{"arn:aws:s3:::b", "arn:aws-cn:rds:cn-north-1:222222222222:db:x", "arn:*:dynamodb:*:2222*:table/t*"}
	for _, s := range good {
		if err := CheckARNPattern(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	bad := []string{"", "arn:aws:s3::", "arn:aws:s3:::*", "arn:aws:s3:::a b", "ARN:aws:s3:::b", "arn:AWS:s3:::b",
		"arn:aws:kms:eu-west-1:111111111111:key/k", "arn:aws:rds:EU:222222222222:db:x", "arn:aws:rds:eu-west-1:22x:db:x",
		"arn:aws:s3:::" + strings.Repeat("b", 1020)}
	for _, s := range bad {
		if err := CheckARNPattern(s); !errors.Is(err, ErrARNPattern) {
			t.Errorf("%q: error %v, want ErrARNPattern", s, err)
		}
	}
}

// FuzzARNPattern: CheckARNPattern never panics; an accepted pattern
// without '*' matches itself, and MatchARN never panics on any pair.
func FuzzARNPattern(f *testing.F) {
	f.Add("arn:aws:s3:::legacy-*", "arn:aws:s3:::legacy-logs")
	f.Add("arn:aws:rds:*:222222222222:db:orders", "arn:aws:rds:eu-west-1:222222222222:db:orders")
	f.Add("arn:*:*:*:*:a*b*c*d*e", "arn:aws:s3:::aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Add("arn:aws:s3:::*", "")
	f.Fuzz(func(t *testing.T, pattern, arn string) {
		_ = MatchARN(pattern, arn)
		if CheckARNPattern(pattern) != nil {
			return
		}
		if !strings.Contains(pattern, "*") && !MatchARN(pattern, pattern) {
			t.Fatalf("literal pattern %q does not match itself", pattern)
		}
		if !MatchARN(pattern, strings.ReplaceAll(pattern, "*", "")) {
			t.Fatalf("pattern %q does not match itself with empty stars", pattern)
		}
	})
}

func init() {
	for name, tc := range exceptionErrCases {
		if tc.hint == "one year" {
			continue // depends on today; checked by TestExceptionErrors with a fixed now
		}
		errCases["exception "+name] = tc
	}
}
