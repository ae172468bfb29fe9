package eventpattern

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Match reports whether the event JSON matches p; an event that is not a
// JSON object is an error.
func (p *Pattern) Match(event []byte) (bool, error) {
	ev, err := DecodeEvent(event)
	if err != nil {
		return false, err
	}
	return p.MatchValue(ev), nil
}

// DecodeEvent decodes an event for MatchValue (numbers as json.Number).
func DecodeEvent(event []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		return nil, fmt.Errorf("event is not a JSON object: %w", err)
	}
	return ev, nil
}

// MatchValue reports whether a decoded event matches p (numbers may be
// json.Number or float64).
func (p *Pattern) MatchValue(ev map[string]any) bool {
	if !matchFields(p.fields, ev) {
		return false
	}
	return p.matchOr(ev)
}

func (p *Pattern) matchOr(ev map[string]any) bool {
	if len(p.or) == 0 {
		return true
	}
	for _, alt := range p.or {
		if matchFields(alt, ev) {
			return true
		}
	}
	return false
}

func matchFields(fs []field, obj map[string]any) bool {
	for _, f := range fs {
		if !f.match(obj) {
			return false
		}
	}
	return true
}

func (f field) match(obj map[string]any) bool {
	if f.self {
		return f.nested.MatchValue(obj)
	}
	v, present := obj[f.key]
	if f.nested != nil {
		return matchNested(f.nested, v)
	}
	if !present {
		return anyExistsFalse(f.values)
	}
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if matchLeaf(f.values, e) {
				return true
			}
		}
		return false
	}
	if _, isObj := v.(map[string]any); isObj {
		return anyExistsFalse(f.values) // exists only applies to leaves
	}
	return matchLeaf(f.values, v)
}

func matchNested(p *Pattern, v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return p.MatchValue(x)
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok && p.MatchValue(m) {
				return true
			}
		}
	}
	return false
}

func anyExistsFalse(ms []matcher) bool {
	for _, m := range ms {
		if m.kind == kindExists && !m.exists {
			return true
		}
	}
	return false
}

func matchLeaf(ms []matcher, v any) bool {
	for _, m := range ms {
		if m.match(v) {
			return true
		}
	}
	return false
}

func (m matcher) match(v any) bool {
	s, isStr := v.(string)
	switch m.kind {
	case kindExact:
		return exactEqual(m.value, v)
	case kindPrefix:
		return isStr && hasAffix(s, m.text, m.fold, strings.HasPrefix)
	case kindSuffix:
		return isStr && hasAffix(s, m.text, m.fold, strings.HasSuffix)
	case kindIgnoreCase:
		return isStr && strings.EqualFold(s, m.text)
	case kindAnythingBut:
		return !matchLeaf(m.not, v)
	case kindNumeric:
		n, ok := number(v)
		return ok && inRanges(n, m.ranges)
	case kindExists:
		return m.exists
	case kindWildcard:
		return isStr && wildcard(m.text, s)
	}
	return false
}

func hasAffix(s, affix string, fold bool, has func(string, string) bool) bool {
	if fold {
		return has(strings.ToLower(s), strings.ToLower(affix))
	}
	return has(s, affix)
}

func exactEqual(want, v any) bool {
	switch w := want.(type) {
	case float64:
		n, ok := number(v)
		return ok && n == w
	case nil:
		return v == nil
	default:
		return want == v
	}
}

// number reads a JSON number decoded either way (json.Number with
// UseNumber, float64 without).
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func inRanges(n float64, bs []bound) bool {
	for _, b := range bs {
		ok := false
		switch b.op {
		case "<":
			ok = n < b.num
		case "<=":
			ok = n <= b.num
		case "=":
			ok = n == b.num
		case ">":
			ok = n > b.num
		case ">=":
			ok = n >= b.num
		}
		if !ok {
			return false
		}
	}
	return true
}

// wildcard matches s against p where '*' stands for any run of characters
// and "\*" for a literal star.
func wildcard(p, s string) bool {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p) && (p[i+1] == '*' || p[i+1] == '\\'):
			cur.WriteByte(p[i+1])
			i++
		case p[i] == '*':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(p[i])
		}
	}
	parts = append(parts, cur.String())
	return MatchParts(s, parts)
}

// MatchParts matches s against the literal parts of a wildcard pattern
// split at its stars: s starts with the first, ends with the last and
// holds the others in order between them.
func MatchParts(s string, parts []string) bool {
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}
