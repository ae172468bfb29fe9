package logssvc

import (
	"fmt"
	"strconv"
	"strings"
)

// JSON filter patterns ({ … }): comparisons of a property selector
// ($.a.b, $.list[0].c) with a string (= or !=, quoted or bare, '*'
// wildcards), a number (=, !=, <, <=, >, >=), or IS NULL, NOT EXISTS,
// IS TRUE, IS FALSE; combined with && (binding tighter), || and
// parentheses. A message that is not a JSON object never matches.

// jsonExpr is a parsed JSON pattern: an OR of ANDs of comparisons or
// nested expressions.
type jsonExpr struct {
	or [][]jsonFactor
}

type jsonFactor struct {
	sub *jsonExpr
	cmp *comparison
}

type comparison struct {
	path  []pathStep
	op    string // "=", "!=", "<", "<=", ">", ">=", "null", "notexists", "true", "false"
	str   string // string comparisons (glob with '*')
	num   float64
	isNum bool
}

type pathStep struct {
	key   string
	index int // -1: an object key
}

type jsonParser struct {
	toks []string
	pos  int
}

func parseJSONPattern(p string) (*jsonExpr, error) {
	body := strings.TrimSpace(p)
	if !strings.HasPrefix(body, "{") || !strings.HasSuffix(body, "}") {
		return nil, fmt.Errorf("%w: a JSON pattern is enclosed in { }", ErrPattern)
	}
	toks, err := tokenize(body[1 : len(body)-1])
	if err != nil {
		return nil, err
	}
	ps := &jsonParser{toks: toks}
	e, err := ps.expr()
	if err != nil {
		return nil, err
	}
	if ps.pos != len(ps.toks) {
		return nil, fmt.Errorf("%w: unexpected %q in JSON pattern", ErrPattern, ps.toks[ps.pos])
	}
	return e, nil
}

// tokenize splits a JSON pattern's body into selectors, operators,
// parentheses, quoted strings (kept with their quotes) and bare words.
func tokenize(s string) ([]string, error) {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '(' || c == ')':
			out, i = append(out, string(c)), i+1
		case strings.HasPrefix(s[i:], "&&") || strings.HasPrefix(s[i:], "||") || strings.HasPrefix(s[i:], "!=") ||
			strings.HasPrefix(s[i:], "<=") || strings.HasPrefix(s[i:], ">="):
			out, i = append(out, s[i:i+2]), i+2
		case c == '=' || c == '<' || c == '>':
			out, i = append(out, string(c)), i+1
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("%w: unterminated string in JSON pattern", ErrPattern)
			}
			out, i = append(out, s[i:i+end+2]), i+end+2
		case c == '%':
			return nil, fmt.Errorf("%w: regular expressions in JSON patterns are not supported by the sandbox", ErrPattern)
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n()=<>!&|\"", rune(s[j])) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("%w: unexpected %q in JSON pattern", ErrPattern, s[i:i+1])
			}
			out, i = append(out, s[i:j]), j
		}
	}
	return out, nil
}

func (p *jsonParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *jsonParser) next() string {
	t := p.peek()
	p.pos++
	return t
}

func (p *jsonParser) expr() (*jsonExpr, error) {
	e := &jsonExpr{}
	for {
		var and []jsonFactor
		for {
			f, err := p.factor()
			if err != nil {
				return nil, err
			}
			and = append(and, f)
			if p.peek() != "&&" {
				break
			}
			p.next()
		}
		e.or = append(e.or, and)
		if p.peek() != "||" {
			return e, nil
		}
		p.next()
	}
}

func (p *jsonParser) factor() (jsonFactor, error) {
	if p.peek() == "(" {
		p.next()
		sub, err := p.expr()
		if err != nil {
			return jsonFactor{}, err
		}
		if p.next() != ")" {
			return jsonFactor{}, fmt.Errorf("%w: missing ) in JSON pattern", ErrPattern)
		}
		return jsonFactor{sub: sub}, nil
	}
	c, err := p.comparison()
	return jsonFactor{cmp: c}, err
}

func (p *jsonParser) comparison() (*comparison, error) {
	sel := p.next()
	path, err := parseSelector(sel)
	if err != nil {
		return nil, err
	}
	c := &comparison{path: path, op: p.next()}
	switch c.op {
	case "IS":
		switch v := p.next(); v {
		case "NULL", "TRUE", "FALSE":
			c.op = map[string]string{"NULL": "null", "TRUE": "true", "FALSE": "false"}[v]
			return c, nil
		}
		return nil, fmt.Errorf("%w: IS must be followed by NULL, TRUE or FALSE", ErrPattern)
	case "NOT":
		if p.next() != "EXISTS" {
			return nil, fmt.Errorf("%w: NOT must be followed by EXISTS", ErrPattern)
		}
		c.op = "notexists"
		return c, nil
	case "=", "!=", "<", "<=", ">", ">=":
		return c, c.value(p.next())
	}
	return nil, fmt.Errorf("%w: %q is not an operator of JSON patterns (=, !=, <, <=, >, >=, IS, NOT EXISTS)", ErrPattern, c.op)
}

func (c *comparison) value(v string) error {
	if v == "" || v == "&&" || v == "||" || v == ")" || v == "(" {
		return fmt.Errorf("%w: %s needs a value", ErrPattern, c.op)
	}
	if strings.HasPrefix(v, `"`) {
		c.str = v[1 : len(v)-1]
	} else if n, err := strconv.ParseFloat(v, 64); err == nil {
		c.num, c.isNum = n, true
	} else {
		c.str = v
	}
	if !c.isNum && c.op != "=" && c.op != "!=" {
		return fmt.Errorf("%w: %s compares numbers, not %q", ErrPattern, c.op, v)
	}
	return nil
}

// parseSelector reads $.a.b[0].c.
func parseSelector(sel string) ([]pathStep, error) {
	rest, ok := strings.CutPrefix(sel, "$")
	if !ok || rest == "" {
		return nil, fmt.Errorf("%w: %q is not a property selector ($.name…)", ErrPattern, sel)
	}
	var out []pathStep
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "."):
			j := strings.IndexAny(rest[1:], ".[")
			if j < 0 {
				j = len(rest) - 1
			}
			if j == 0 {
				return nil, fmt.Errorf("%w: empty name in selector %q", ErrPattern, sel)
			}
			out, rest = append(out, pathStep{key: rest[1 : j+1], index: -1}), rest[j+1:]
		case strings.HasPrefix(rest, "["):
			j := strings.IndexByte(rest, ']')
			n, err := strconv.Atoi(rest[1:max(j, 1)])
			if j < 0 || err != nil || n < 0 {
				return nil, fmt.Errorf("%w: selector %q: only numeric array indexes [n] are supported", ErrPattern, sel)
			}
			out, rest = append(out, pathStep{index: n}), rest[j+1:]
		default:
			return nil, fmt.Errorf("%w: bad property selector %q", ErrPattern, sel)
		}
	}
	return out, nil
}
