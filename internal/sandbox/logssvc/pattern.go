package logssvc

import (
	"errors"
	"fmt"
	"strings"
)

// ErrPattern is wrapped by every filter pattern the sandbox refuses.
var ErrPattern = errors.New("unsupported filter pattern")

// Pattern is a parsed CloudWatch Logs term filter pattern. The zero value
// (the empty pattern) matches every event.
type Pattern struct {
	json *jsonExpr // a JSON pattern; the term lists are empty then
	all  []string  // every term must occur
	any  []string  // ?terms: at least one must occur
	none []string  // -terms: none may occur
}

// ParsePattern parses the term syntax of CloudWatch Logs filter patterns:
// space-separated terms that must all occur in the message (case-sensitive
// substrings), "quoted terms" that may hold spaces and punctuation,
// ?term alternatives (at least one must occur; not mixed with plain terms)
// and -term exclusions; and JSON patterns ({…}, see jsonpattern.go).
// Space-delimited ([…]) and regex (%…%) patterns are refused with an error
// wrapping ErrPattern.
func ParsePattern(p string) (Pattern, error) {
	var out Pattern
	rest := strings.TrimSpace(p)
	if strings.HasPrefix(rest, "{") {
		e, err := parseJSONPattern(rest)
		return Pattern{json: e}, err
	}
	if strings.HasPrefix(rest, "[") || strings.HasPrefix(rest, "%") {
		return out, fmt.Errorf("%w: the sandbox matches term and JSON patterns, not space-delimited [ ] or regex %% %% patterns", ErrPattern)
	}
	for rest != "" {
		term, tail, err := nextTerm(rest)
		if err != nil {
			return Pattern{}, err
		}
		rest = strings.TrimLeft(tail, " \t")
		if err := out.add(term); err != nil {
			return Pattern{}, err
		}
	}
	if len(out.any) > 0 && len(out.all) > 0 {
		return Pattern{}, fmt.Errorf("%w: ?term alternatives cannot be combined with plain terms in the sandbox", ErrPattern)
	}
	return out, nil
}

// rawTerm is one term with its operator.
type rawTerm struct {
	op   byte // 0, '?' or '-'
	text string
}

func nextTerm(s string) (rawTerm, string, error) {
	var t rawTerm
	if s[0] == '?' || s[0] == '-' {
		t.op, s = s[0], s[1:]
	}
	if s == "" {
		return t, "", fmt.Errorf("%w: operator %q without a term", ErrPattern, t.op)
	}
	if s[0] == '"' {
		text, tail, err := quoted(s[1:])
		if err != nil {
			return t, "", err
		}
		t.text = text
		return t, tail, nil
	}
	end := strings.IndexAny(s, " \t")
	if end < 0 {
		end = len(s)
	}
	t.text = s[:end]
	if i := strings.IndexFunc(t.text, func(r rune) bool { return !plainRune(r) }); i >= 0 {
		return t, "", fmt.Errorf("%w: unquoted term %q contains %q; put the term in double quotes", ErrPattern, t.text, t.text[i:i+1])
	}
	return t, s[end:], nil
}

// quoted reads a quoted term after its opening quote; \" and \\ stand
// for a quote and a backslash.
func quoted(s string) (string, string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			b.WriteByte(s[i+1])
			i++
		case c == '"':
			if b.Len() == 0 {
				return "", "", fmt.Errorf("%w: empty quoted term", ErrPattern)
			}
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("%w: unterminated quoted term \"%s", ErrPattern, s)
}

// plainRune: characters an unquoted term may hold in the sandbox.
func plainRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./:@", r) || r > 127
}

func (p *Pattern) add(t rawTerm) error {
	switch t.op {
	case '?':
		p.any = append(p.any, t.text)
	case '-':
		p.none = append(p.none, t.text)
	default:
		p.all = append(p.all, t.text)
	}
	return nil
}

// Match reports whether msg matches p.
func (p Pattern) Match(msg string) bool {
	if p.json != nil {
		doc := decodeMessage(msg)
		return doc != nil && p.json.match(doc)
	}
	for _, t := range p.none {
		if strings.Contains(msg, t) {
			return false
		}
	}
	for _, t := range p.all {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	if len(p.any) == 0 {
		return true
	}
	for _, t := range p.any {
		if strings.Contains(msg, t) {
			return true
		}
	}
	return false
}
