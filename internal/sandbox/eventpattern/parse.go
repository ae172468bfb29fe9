package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// ErrInvalid is wrapped by every parse error.
var ErrInvalid = errors.New("event pattern is not valid")

// Error is a pattern EventBridge would refuse; Reason is worded as the
// InvalidEventPatternException message's reason.
type Error struct{ Reason string }

func (e *Error) Error() string { return "Event pattern is not valid. Reason: " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *Error) Unwrap() error { return ErrInvalid }

func invalid(format string, args ...any) error { return &Error{Reason: fmt.Sprintf(format, args...)} }

// MaxPatternBytes is the longest pattern PutRule accepts (2048 characters
// in the API; the sandbox allows the 4096 some Regions do).
const MaxPatternBytes = 4096

// Pattern is a parsed event pattern. Create with Parse.
type Pattern struct {
	fields []field   // all must match
	or     [][]field // $or: at least one alternative must match entirely
}

// field is one key of a pattern object: a nested pattern or a list of
// match values.
type field struct {
	key    string
	self   bool // an $or alternative with its own $or: nested applies to this object
	nested *Pattern
	values []matcher
}

// Parse parses a pattern document.
func Parse(doc string) (*Pattern, error) {
	if len(doc) > MaxPatternBytes {
		return nil, invalid("pattern is %d characters long, more than %d", len(doc), MaxPatternBytes)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalid("Filter is not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, invalid("Filter is not valid JSON: trailing data after the pattern object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("Filter is not an object")
	}
	if len(obj) == 0 {
		return nil, invalid("Empty objects are not allowed")
	}
	return parseObject(obj, "")
}

func parseObject(obj map[string]any, path string) (*Pattern, error) {
	p := &Pattern{}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "$or" {
			alts, err := parseOr(obj[k], path)
			if err != nil {
				return nil, err
			}
			p.or = append(p.or, alts...)
			continue
		}
		f, err := parseField(k, obj[k], path+"."+k)
		if err != nil {
			return nil, err
		}
		p.fields = append(p.fields, f)
	}
	return p, nil
}

func parseField(key string, v any, path string) (field, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return field{}, invalid("Empty objects are not allowed at %s", path)
		}
		n, err := parseObject(x, path)
		return field{key: key, nested: n}, err
	case []any:
		if len(x) == 0 {
			return field{}, invalid("Empty arrays are not allowed at %s", path)
		}
		f := field{key: key}
		for _, e := range x {
			m, err := parseMatcher(e, path)
			if err != nil {
				return field{}, err
			}
			f.values = append(f.values, m)
		}
		return f, nil
	}
	return field{}, invalid("\"%s\" must be an object or an array", key)
}

func parseOr(v any, path string) ([][]field, error) {
	alts, ok := v.([]any)
	if !ok || len(alts) < 2 {
		return nil, invalid("$or at %s must be an array of at least two pattern objects", pathOrRoot(path))
	}
	var out [][]field
	for _, a := range alts {
		obj, ok := a.(map[string]any)
		if !ok || len(obj) == 0 {
			return nil, invalid("$or at %s must hold non-empty pattern objects", pathOrRoot(path))
		}
		p, err := parseObject(obj, path)
		if err != nil {
			return nil, err
		}
		if len(p.or) > 0 {
			// Flatten: an alternative that itself has $or is kept as a nested pattern.
			out = append(out, []field{{self: true, nested: p}})
			continue
		}
		out = append(out, p.fields)
	}
	return out, nil
}

func pathOrRoot(p string) string {
	if p == "" {
		return "the top level"
	}
	return p
}
