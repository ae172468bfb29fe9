package logssvc

import (
	"encoding/json"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/eventpattern"
)

// match evaluates e on a decoded message.
func (e *jsonExpr) match(doc any) bool {
	for _, and := range e.or {
		all := true
		for _, f := range and {
			if !f.match(doc) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func (f jsonFactor) match(doc any) bool {
	if f.sub != nil {
		return f.sub.match(doc)
	}
	return f.cmp.match(doc)
}

func (c *comparison) match(doc any) bool {
	v, ok := resolve(doc, c.path)
	switch c.op {
	case "notexists":
		return !ok
	case "null":
		return ok && v == nil
	case "true", "false":
		b, isBool := v.(bool)
		return ok && isBool && b == (c.op == "true")
	}
	if !ok {
		return false
	}
	if c.isNum {
		n, isNum := v.(float64)
		return isNum && compareNum(c.op, n, c.num)
	}
	s, isStr := v.(string)
	if !isStr {
		return false
	}
	eq := glob(c.str, s)
	return eq == (c.op == "=")
}

func compareNum(op string, a, b float64) bool {
	switch op {
	case "=":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	}
	return a >= b
}

func resolve(doc any, path []pathStep) (any, bool) {
	cur := doc
	for _, st := range path {
		if st.index < 0 {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[st.key]; !ok {
				return nil, false
			}
			continue
		}
		arr, ok := cur.([]any)
		if !ok || st.index >= len(arr) {
			return nil, false
		}
		cur = arr[st.index]
	}
	return cur, true
}

// glob matches s against p where '*' stands for any run of characters.
func glob(p, s string) bool {
	return eventpattern.MatchParts(s, strings.Split(p, "*"))
}

// decodeMessage decodes a message for JSON patterns; nil when it is not a
// JSON object.
func decodeMessage(msg string) any {
	if !strings.HasPrefix(strings.TrimSpace(msg), "{") {
		return nil
	}
	var v map[string]any
	if json.Unmarshal([]byte(msg), &v) != nil {
		return nil
	}
	return v
}
