package eventpattern

import (
	"encoding/json"
	"strings"
)

type kind int

const (
	kindUnknown kind = iota
	kindExact        // string, number, bool or null
	kindPrefix
	kindSuffix
	kindIgnoreCase
	kindAnythingBut
	kindNumeric
	kindExists
	kindWildcard
)

// matcher is one element of a pattern field's array.
type matcher struct {
	kind   kind
	value  any // kindExact: string, float64, bool or nil
	text   string
	fold   bool // prefix/suffix with equals-ignore-case
	exists bool
	ranges []bound
	not    []matcher // anything-but: excluded matchers
}

type bound struct {
	op  string
	num float64
}

func parseMatcher(v any, path string) (matcher, error) {
	switch x := v.(type) {
	case string:
		return matcher{kind: kindExact, value: x}, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return matcher{}, invalid("number %s at %s is out of range", x, path)
		}
		return matcher{kind: kindExact, value: f}, nil
	case bool, nil:
		return matcher{kind: kindExact, value: x}, nil
	case map[string]any:
		return parseFilter(x, path)
	}
	return matcher{}, invalid("Match value must be String, number, true, false, or null at %s", path)
}

// parseFilter parses a content filter object: exactly one key.
func parseFilter(obj map[string]any, path string) (matcher, error) {
	if len(obj) != 1 {
		return matcher{}, invalid("a content filter at %s must have exactly one key, not %d", path, len(obj))
	}
	for k, v := range obj {
		switch k {
		case "prefix", "suffix":
			return parseAffix(k, v, path)
		case "equals-ignore-case":
			s, ok := v.(string)
			if !ok {
				return matcher{}, invalid("equals-ignore-case match pattern must be a string at %s", path)
			}
			return matcher{kind: kindIgnoreCase, text: s}, nil
		case "anything-but":
			return parseAnythingBut(v, path)
		case "numeric":
			return parseNumeric(v, path)
		case "exists":
			b, ok := v.(bool)
			if !ok {
				return matcher{}, invalid("exists match pattern must be either true or false at %s", path)
			}
			return matcher{kind: kindExists, exists: b}, nil
		case "wildcard":
			s, ok := v.(string)
			if !ok || strings.Contains(s, "**") {
				return matcher{}, invalid("wildcard match pattern must be a string without consecutive '*' at %s", path)
			}
			return matcher{kind: kindWildcard, text: s}, nil
		case "cidr":
			return matcher{}, invalid("the sandbox does not evaluate cidr patterns (at %s)", path)
		default:
			return matcher{}, invalid("Unrecognized match type %s at %s", k, path)
		}
	}
	panic("unreachable")
}

func parseAffix(k string, v any, path string) (matcher, error) {
	m := matcher{kind: kindPrefix}
	if k == "suffix" {
		m.kind = kindSuffix
	}
	switch x := v.(type) {
	case string:
		m.text = x
		return m, nil
	case map[string]any:
		s, ok := x["equals-ignore-case"].(string)
		if len(x) == 1 && ok {
			m.text, m.fold = s, true
			return m, nil
		}
	}
	return matcher{}, invalid("%s match pattern must be a string or {\"equals-ignore-case\": string} at %s", k, path)
}

func parseAnythingBut(v any, path string) (matcher, error) {
	m := matcher{kind: kindAnythingBut}
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return matcher{}, invalid("Empty arrays are not allowed in anything-but at %s", path)
		}
		for _, e := range x {
			sub, err := parseMatcher(e, path)
			if err != nil || sub.kind != kindExact {
				return matcher{}, invalid("Inside anything-but list, start|null|boolean is not supported at %s", path)
			}
			m.not = append(m.not, sub)
		}
	case map[string]any:
		sub, err := parseFilter(x, path)
		if err != nil {
			return matcher{}, err
		}
		switch sub.kind {
		case kindPrefix, kindSuffix, kindIgnoreCase, kindWildcard:
		default:
			return matcher{}, invalid("Unsupported anything-but pattern at %s: only prefix, suffix, equals-ignore-case and wildcard", path)
		}
		m.not = []matcher{sub}
	default:
		sub, err := parseMatcher(x, path)
		if err != nil {
			return matcher{}, err
		}
		m.not = []matcher{sub}
	}
	return m, nil
}

var numericOps = map[string]bool{"<": true, "<=": true, "=": true, ">": true, ">=": true}

func parseNumeric(v any, path string) (matcher, error) {
	xs, ok := v.([]any)
	if !ok || len(xs) == 0 || len(xs)%2 != 0 || len(xs) > 4 {
		return matcher{}, invalid("numeric match pattern at %s must be [op, number] or [op, number, op, number]", path)
	}
	m := matcher{kind: kindNumeric}
	for i := 0; i < len(xs); i += 2 {
		op, ok := xs[i].(string)
		n, isNum := xs[i+1].(json.Number)
		if !ok || !numericOps[op] || !isNum {
			return matcher{}, invalid("Unrecognized numeric range operator or value at %s", path)
		}
		f, err := n.Float64()
		if err != nil {
			return matcher{}, invalid("number %s at %s is out of range", n, path)
		}
		m.ranges = append(m.ranges, bound{op, f})
	}
	if len(m.ranges) == 2 && !validRange(m.ranges[0].op, m.ranges[1].op) {
		return matcher{}, invalid("Bad numeric range operator at %s: a range is a lower bound (> or >=) then an upper bound (< or <=)", path)
	}
	return m, nil
}

func validRange(lo, hi string) bool {
	return (lo == ">" || lo == ">=") && (hi == "<" || hi == "<=")
}
