package estate

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Exception is one accepted deviation from the policy (the exceptions:
// section): resources whose ARN matches Pattern are reported EXEMPTED instead
// of NON_COMPLIANT until the end of the Expires day (UTC, inclusive).
type Exception struct {
	// Pattern is a resource ARN, or an ARN pattern with '*' wildcards
	// (see MatchARN).
	Pattern  string
	Reason   string
	Approver string
	// Expires is the last day the exception holds, at 00:00 UTC.
	Expires time.Time
	// Finding, when set, limits the exception to one finding code (a byok
	// reason such as MATERIAL_OVERDUE); empty means any non-compliance.
	Finding string
	// Line is where the entry starts in the estate file (0 when unknown).
	Line int
}

// MaxExceptionTerm is how far ahead an exception may expire: an accepted
// risk is reviewed at least once a year.
const MaxExceptionTerm = 366 * 24 * time.Hour

// ErrException classes every problem of the exceptions: section.
var ErrException = errors.New("invalid exception")

var exceptionFields = []string{"resource", "reason", "approver", "expires", "finding"}

// FindingCodes are the reasons a resource can be NON_COMPLIANT for, as
// package compliance spells them (a test there keeps the two in step): the
// values finding: accepts, so that a typo cannot make an exception that
// never applies.
var FindingCodes = []string{"UNENCRYPTED", "NOT_KMS_ENCRYPTED", "AWS_MANAGED_KEY", "ALIAS_RESOLVES_IN_RESOURCE_ACCOUNT",
	"KEY_SUPERSEDED", "WRONG_ESTATE_KEY", "KEY_OUTSIDE_ESTATE", "KEY_DISABLED", "KEY_PENDING_DELETION",
	"KEY_PENDING_IMPORT", "MATERIAL_OVERDUE", "MATERIAL_EXPIRING"}

// exceptionServices are the ARN service names of the resources byok evaluates.
var exceptionServices = []string{"s3", "rds", "dynamodb", "*"}

var (
	accountGlobRE = regexp.MustCompile(`^[0-9*]{1,12}$`)
	regionGlobRE  = regexp.MustCompile(`^[a-z0-9*-]{1,32}$`)
)

// Live reports whether the exception still holds at now: through the whole
// Expires day in UTC, and no longer from the next midnight UTC on.
func (x Exception) Live(now time.Time) bool {
	return now.UTC().Before(x.Expires.AddDate(0, 0, 1))
}

// ExpiresDate is Expires as written, YYYY-MM-DD.
func (x Exception) ExpiresDate() string { return x.Expires.Format(time.DateOnly) }

// Applies reports whether the exception covers a resource ARN failing with
// finding code reason (at any time; see Live for the date).
func (x Exception) Applies(arn, reason string) bool {
	return (x.Finding == "" || x.Finding == reason) && MatchARN(x.Pattern, arn)
}

func (p *parser) exceptions(n *yaml.Node, field string) []Exception {
	items, ok := p.sequence(n, field)
	if !ok {
		return nil
	}
	var out []Exception
	seen := map[string]int{}
	for i, it := range items {
		x, ok := p.exception(it, index(field, i))
		if !ok {
			continue
		}
		key := x.Pattern + "\x00" + x.Finding
		if prev, dup := seen[key]; dup {
			p.fail(it, index(field, i), ErrDuplicate, fmt.Sprintf("already listed on line %d; keep one", prev), "exception for %q is listed twice", x.Pattern)
			continue
		}
		seen[key] = it.Line
		out = append(out, x)
	}
	return out
}

func (p *parser) exception(n *yaml.Node, field string) (Exception, bool) {
	x := Exception{Line: n.Line}
	f, ok := p.mapping(n, field, exceptionFields)
	if !ok {
		return x, false
	}
	before := len(p.errs)
	p.require(f, field, "resource", "reason", "approver", "expires")
	if v, ok := f.get("resource"); ok {
		x.Pattern = p.exceptionPattern(v.val, join(field, "resource"))
	}
	if v, ok := f.get("reason"); ok {
		x.Reason = p.exceptionText(v.val, join(field, "reason"), "say why the risk is accepted, e.g. \"vendor appliance re-encrypts in Q3\"")
	}
	if v, ok := f.get("approver"); ok {
		x.Approver = p.exceptionText(v.val, join(field, "approver"), "name who accepted the risk, e.g. jane.doe@example.com")
	}
	if v, ok := f.get("expires"); ok {
		x.Expires = p.exceptionExpiry(v.val, join(field, "expires"))
	}
	if v, ok := f.get("finding"); ok {
		x.Finding, _ = p.oneOf(v.val, join(field, "finding"), ErrException, FindingCodes)
	}
	return x, len(p.errs) == before
}

func (p *parser) exceptionText(n *yaml.Node, field, hint string) string {
	s, ok := p.scalar(n, field)
	if !ok {
		return ""
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		p.fail(n, field, ErrMissing, hint, "must not be empty")
	case len(s) > 512:
		p.fail(n, field, ErrException, "keep it under 512 characters and link a ticket for the rest", "is %d characters long", len(s))
	default:
		return s
	}
	return ""
}

// exceptionExpiry reads a calendar date; the exception holds through that
// whole day in UTC. Past dates are accepted (the exception simply no longer
// applies, and estate validate warns); dates further than MaxExceptionTerm
// ahead are refused.
func (p *parser) exceptionExpiry(n *yaml.Node, field string) time.Time {
	s, ok := p.scalar(n, field)
	if !ok {
		return time.Time{}
	}
	const hint = "write the last day the exception holds as YYYY-MM-DD (UTC), e.g. 2026-12-31"
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		p.fail(n, field, ErrException, hint, "%q is not a date", s)
		return time.Time{}
	}
	if d.Sub(p.now.UTC()) > MaxExceptionTerm {
		p.fail(n, field, ErrException, "exceptions last at most one year from today; renew it with a fresh approval when it expires",
			"%s is more than a year ahead", s)
		return time.Time{}
	}
	return d
}

func (p *parser) exceptionPattern(n *yaml.Node, field string) string {
	s, ok := p.scalar(n, field)
	if !ok {
		return ""
	}
	if err := CheckARNPattern(s); err != nil {
		p.fail(n, field, ErrException, "write a resource ARN such as arn:aws:s3:::my-bucket or arn:aws:rds:eu-west-1:222222222222:db:legacy-*; '*' matches any characters within one ':' segment", "%v", err)
		return ""
	}
	return s
}

// ExceptionWarnings lists the exceptions that no longer hold at now, one
// line each with file:line, for estate validate to print.
func (e *Estate) ExceptionWarnings(now time.Time) []string {
	var out []string
	for i, x := range e.Exceptions {
		if !x.Live(now) {
			out = append(out, fmt.Sprintf("%s:%d: exceptions[%d]: expired on %s; resources matching %q are NON_COMPLIANT again (renew it with a new approval or remove it)",
				orName(e.Path), x.Line, i, x.ExpiresDate(), x.Pattern))
		}
	}
	return out
}

func orName(path string) string {
	if path == "" {
		return "estate"
	}
	return path
}
