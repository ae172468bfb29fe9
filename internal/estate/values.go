package estate

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/byok-dev/byok/internal/pkcs11uri"
	"github.com/byok-dev/byok/internal/regions"
)

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}$`)
	nameRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	// IAM: path "/" or "/a/b/" of printable ASCII, name of [\w+=,.@-]{1,64}.
	roleARNRE = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):role/((?:[\x21-\x7e]+/)?)([\w+=,.@-]{1,64})$`)
	windowRE  = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2}) UTC$`)
)

// Placeholders of alias_format and roles.verify.
const (
	phEnv     = "{env}"
	phService = "{service}"
	phAccount = "{account}"
)

// allServices lists the services byok knows, in canonical order.
var allServices = []Service{ServiceS3, ServiceRDS, ServiceDynamoDB}

func (p *parser) account(n *yaml.Node, field string) (string, bool) {
	s, ok := p.scalar(n, field)
	if !ok {
		return "", false
	}
	if !accountRE.MatchString(s) {
		p.fail(n, field, ErrAccountID, `an AWS account ID is exactly 12 digits; quote it to keep leading zeros: "012345678901"`,
			"%q is not a 12-digit account ID", s)
		return "", false
	}
	return s, true
}

func (p *parser) region(n *yaml.Node, field string) (string, bool) {
	s, ok := p.scalar(n, field)
	if !ok {
		return "", false
	}
	if !regionRE.MatchString(s) {
		p.fail(n, field, ErrRegion, "use an AWS region code such as eu-west-1 (not an availability zone or a display name)",
			"%q is not an AWS region code", s)
		return "", false
	}
	if _, known := regions.Partition(s); !known {
		p.fail(n, field, ErrRegion, regionHint(s), "%q is not an AWS Region (%v)", s, regions.ErrUnknown)
		return "", false
	}
	return s, true
}

// roleARN checks an IAM role ARN. With placeholder, "{account}" may stand
// for the account ID and is substituted per account when the role is used.
func (p *parser) roleARN(n *yaml.Node, field string, placeholder bool) (arn, account string, ok bool) {
	s, ok := p.scalar(n, field)
	if !ok {
		return "", "", false
	}
	probe := s
	if placeholder {
		probe = strings.ReplaceAll(s, phAccount, "000000000000")
	}
	m := roleARNRE.FindStringSubmatch(probe)
	if m == nil {
		hint := "write arn:aws:iam::<12-digit account>:role/<name>"
		if placeholder {
			hint += "; {account} may stand for each account ID"
		}
		p.fail(n, field, ErrARN, hint, "%q is not an IAM role ARN", s)
		return "", "", false
	}
	return s, m[1], true
}

func (p *parser) duration(n *yaml.Node, field string) (time.Duration, bool) {
	s, ok := p.scalar(n, field)
	if !ok {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil {
		p.fail(n, field, ErrDuration, "write a positive duration such as 365d, 52w or 8760h", "%v", err)
		return 0, false
	}
	return d, true
}

// envName checks an environment name, which becomes part of alias names.
func (p *parser) envName(n *yaml.Node, field string) (string, bool) {
	if !nameRE.MatchString(n.Value) {
		p.fail(n, field, ErrName, "use letters, digits, '-' and '_' (it becomes part of the KMS alias)",
			"%q is not a valid environment name", n.Value)
		return "", false
	}
	return n.Value, true
}

func (p *parser) service(n *yaml.Node, field string) (Service, bool) {
	s, ok := p.scalar(n, field)
	if !ok {
		return "", false
	}
	if !slices.Contains(allServices, Service(s)) {
		names := make([]string, len(allServices))
		for i, v := range allServices {
			names[i] = string(v)
		}
		p.fail(n, field, ErrUnknownService, suggest(s, names), "unknown service %q", s)
		return "", false
	}
	return Service(s), true
}

// window parses "Sat 02:00-04:00 UTC". An end before the start crosses
// midnight into the next day.
func (p *parser) window(n *yaml.Node, field string) (*Window, bool) {
	s, ok := p.scalar(n, field)
	if !ok {
		return nil, false
	}
	bad := func(why string) (*Window, bool) {
		p.fail(n, field, ErrWindow, `write "Sat 02:00-04:00 UTC": a three-letter day, 24-hour start and end, UTC`, "%q: %s", s, why)
		return nil, false
	}
	m := windowRE.FindStringSubmatch(s)
	if m == nil {
		return bad("not of the form \"Day HH:MM-HH:MM UTC\"")
	}
	start, ok1 := clock(m[2], m[3])
	end, ok2 := clock(m[4], m[5])
	if !ok1 || !ok2 {
		return bad("hours are 00-23 and minutes 00-59")
	}
	if end == start {
		return bad("start and end are equal")
	}
	length := end - start
	if end < start {
		length += 24 * time.Hour
	}
	days := map[string]time.Weekday{"Sun": time.Sunday, "Mon": time.Monday, "Tue": time.Tuesday,
		"Wed": time.Wednesday, "Thu": time.Thursday, "Fri": time.Friday, "Sat": time.Saturday}
	return &Window{Day: days[m[1]], Start: start, Duration: length}, true
}

func clock(hh, mm string) (time.Duration, bool) {
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	if h > 23 || m > 59 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

func (p *parser) hsm(n *yaml.Node, field string) (string, bool) {
	s, ok := p.scalar(n, field)
	if !ok {
		return "", false
	}
	if !strings.HasPrefix(s, "pkcs11:") {
		p.fail(n, field, ErrHSM, "write a PKCS#11 URI (RFC 7512) such as pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN",
			"the HSM must be a pkcs11: URI")
		return "", false
	}
	// The one URI parser; its errors never echo attribute values, so a PIN
	// written into the file is refused without being repeated.
	if _, err := pkcs11uri.Parse(s); err != nil {
		hint := "see the accepted forms in `byok hsm check --help`"
		var pe *pkcs11uri.ParseError
		if errors.As(err, &pe) && pe.Hint != "" {
			hint = pe.Hint
		}
		msg := err.Error()
		if pe != nil {
			msg = "pkcs11 URI: " + pe.Err.Error()
			if pe.Attr != "" {
				msg += " (attribute " + strconv.Quote(pe.Attr) + ")"
			}
		}
		p.fail(n, field, ErrHSM, hint, "%s", msg)
		return "", false
	}
	return s, p.hsmComplete(n, field, s)
}

// oneOf checks that a scalar is one of valid, spelled exactly.
func (p *parser) oneOf(n *yaml.Node, field string, class error, valid []string) (string, bool) {
	s, ok := p.scalar(n, field)
	if !ok {
		return "", false
	}
	for _, v := range valid {
		if s == v {
			return s, true
		}
	}
	p.fail(n, field, class, suggest(s, valid), "%q is not supported", s)
	return "", false
}
