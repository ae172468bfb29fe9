package estate

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ARN patterns of the exceptions: section.
//
// A pattern is an ARN, arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, split on
// its first five colons into six segments; the RESOURCE segment keeps any
// further colons (arn:aws:rds:eu-west-1:222222222222:db:legacy-1). In each
// segment '*' matches any run of characters, the empty run included, but
// never reaches into another segment; every other character matches itself
// (case-sensitive, as ARNs are). There is no other wildcard and no escape.
// SERVICE is s3, rds, dynamodb or *; REGION and ACCOUNT are empty (as in S3
// bucket ARNs), literal, or globs of their characters; RESOURCE must name
// something beyond '*' so that one entry cannot exempt a whole service.

// ErrARNPattern is wrapped by CheckARNPattern's errors.
var ErrARNPattern = errors.New("invalid ARN pattern")

var partitionGlobRE = regexp.MustCompile(`^[a-z*][a-z*-]{0,31}$`)

// CheckARNPattern validates a pattern by the rules above.
func CheckARNPattern(s string) error {
	if len(s) > 1024 {
		return fmt.Errorf("%w: %d characters, at most 1024", ErrARNPattern, len(s))
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }); i >= 0 {
		return fmt.Errorf("%w: %q has a space or control character", ErrARNPattern, s)
	}
	seg, ok := arnSegments(s)
	if !ok {
		return fmt.Errorf("%w: %q is not arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE", ErrARNPattern, s)
	}
	switch {
	case !partitionGlobRE.MatchString(seg[1]):
		return fmt.Errorf("%w: %q: partition %q is not aws, aws-cn, aws-us-gov, … or *", ErrARNPattern, s, seg[1])
	case !slices.Contains(exceptionServices, seg[2]):
		return fmt.Errorf("%w: %q: service %q is not s3, rds, dynamodb or *", ErrARNPattern, s, seg[2])
	case seg[3] != "" && !regionGlobRE.MatchString(seg[3]):
		return fmt.Errorf("%w: %q: region %q is not a region code", ErrARNPattern, s, seg[3])
	case seg[4] != "" && (!accountGlobRE.MatchString(seg[4]) || !strings.Contains(seg[4], "*") && len(seg[4]) != 12):
		return fmt.Errorf("%w: %q: account %q is not a 12-digit account ID", ErrARNPattern, s, seg[4])
	case strings.Trim(seg[5], "*") == "":
		return fmt.Errorf("%w: %q: the resource part must name something beyond '*' (one exception per resource or name prefix)", ErrARNPattern, s)
	}
	return nil
}

// arnSegments splits an ARN into its six segments.
func arnSegments(s string) ([]string, bool) {
	seg := strings.SplitN(s, ":", 6)
	if len(seg) != 6 || seg[0] != "arn" {
		return nil, false
	}
	return seg, true
}

// MatchARN reports whether arn matches pattern, segment by segment. An
// arn that is not six segments matches nothing. It does not allocate: a
// scan evaluates every resource against every exception.
func MatchARN(pattern, arn string) bool {
	for i := range 5 {
		p, prest, ok := strings.Cut(pattern, ":")
		a, arest, ok2 := strings.Cut(arn, ":")
		if !ok || !ok2 || (i == 0 && (p != "arn" || a != "arn")) || !glob(p, a) {
			return false
		}
		pattern, arn = prest, arest
	}
	return glob(pattern, arn)
}

// glob matches s against p where '*' is any run of characters. Linear in
// len(p)*len(s) at worst: on a mismatch it retries from the last star only.
func glob(p, s string) bool {
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && p[pi] == s[si]:
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
