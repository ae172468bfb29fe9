package discover

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrBadPattern is returned by ParsePattern for an alias pattern byok
// cannot use.
var ErrBadPattern = errors.New("bad alias pattern")

const (
	phEnv     = "{env}"
	phService = "{service}"
)

// Pattern is a parsed alias pattern such as alias/{env}/{service}.
type Pattern struct {
	raw string
	re  *regexp.Regexp
}

// literalRE is what may surround the placeholders: KMS alias characters.
var literalRE = regexp.MustCompile(`^[A-Za-z0-9/_-]*$`)

// ParsePattern checks s: it starts with alias/ (not alias/aws/), holds
// {env} and {service} once each, separated by at least one literal
// character, and otherwise only alias name characters.
func ParsePattern(s string) (Pattern, error) {
	hint := "e.g. alias/{env}/{service} or alias/byok-{env}-{service}"
	switch {
	case !strings.HasPrefix(s, "alias/"):
		return Pattern{}, fmt.Errorf("%w: %q must start with alias/ (%s)", ErrBadPattern, s, hint)
	case strings.HasPrefix(s, "alias/aws/"):
		return Pattern{}, fmt.Errorf("%w: %q: alias/aws/ is reserved for AWS managed keys", ErrBadPattern, s)
	case strings.Count(s, phEnv) != 1 || strings.Count(s, phService) != 1:
		return Pattern{}, fmt.Errorf("%w: %q must contain {env} and {service} exactly once each (%s)", ErrBadPattern, s, hint)
	case strings.Contains(s, phEnv+phService) || strings.Contains(s, phService+phEnv):
		return Pattern{}, fmt.Errorf("%w: %q: {env} and {service} need a separator between them", ErrBadPattern, s)
	case len(s) > 256:
		return Pattern{}, fmt.Errorf("%w: %d characters; alias names have at most 256", ErrBadPattern, len(s))
	}
	var re strings.Builder
	re.WriteString("^")
	rest := s
	for rest != "" {
		i, j := strings.Index(rest, phEnv), strings.Index(rest, phService)
		next, name, ph := len(rest), "", ""
		if i >= 0 && (j < 0 || i < j) {
			next, name, ph = i, "env", phEnv
		} else if j >= 0 {
			next, name, ph = j, "service", phService
		}
		lit := rest[:next]
		if !literalRE.MatchString(lit) {
			return Pattern{}, fmt.Errorf("%w: %q: only letters, digits, '/', '_', '-' and the two placeholders", ErrBadPattern, s)
		}
		re.WriteString(regexp.QuoteMeta(lit))
		if ph == "" {
			break
		}
		re.WriteString("(?P<" + name + ">[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*?)")
		rest = rest[next+len(ph):]
	}
	re.WriteString("$")
	return Pattern{raw: s, re: regexp.MustCompile(re.String())}, nil
}

// String is the pattern as written.
func (p Pattern) String() string { return p.raw }

// Match takes environment and service from alias.
func (p Pattern) Match(alias string) (env, service string, ok bool) {
	if p.re == nil {
		return "", "", false
	}
	m := p.re.FindStringSubmatch(alias)
	if m == nil {
		return "", "", false
	}
	return m[p.re.SubexpIndex("env")], m[p.re.SubexpIndex("service")], true
}
