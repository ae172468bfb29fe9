package estate

import (
	"fmt"
	"slices"
	"time"

	"gopkg.in/yaml.v3"
)

// parser walks a yaml.Node tree, collecting every problem rather than
// stopping at the first, so one validate run shows the whole list.
type parser struct {
	file  string
	errs  []*Error
	nodes int       // values walked so far, aliases counted each time they are followed
	now   time.Time // today, for the exceptions' expiry horizon
}

// maxNodes bounds the walk: a real estate has a few hundred values, while
// YAML aliases (*anchor) can make a small file name millions of them.
const maxNodes = 20_000

// budget counts n values about to be walked and reports, once, when the
// file exceeds maxNodes; the caller then skips the walk.
func (p *parser) budget(at *yaml.Node, n int) bool {
	if p.nodes > maxNodes {
		return false
	}
	p.nodes += n
	if p.nodes > maxNodes {
		p.fail(at, "", ErrLimit, "an estate lists accounts, services and regions; avoid aliases that repeat large lists",
			"the file has more than %d values", maxNodes)
		return false
	}
	return true
}

// maxErrors caps the report: past it, later problems are usually echoes
// of the first ones.
const maxErrors = 100

// fail records a problem located at n.
func (p *parser) fail(n *yaml.Node, field string, class error, hint, format string, args ...any) {
	if p.full() {
		return
	}
	if len(p.errs) == maxErrors-1 {
		p.errs = append(p.errs, &Error{File: p.file, Err: ErrLimit, Hint: "fix these and check again",
			Msg: fmt.Sprintf("more than %d problems; showing the first ones", maxErrors-1)})
		return
	}
	e := &Error{File: p.file, Field: field, Msg: fmt.Sprintf(format, args...), Hint: hint, Err: class}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

func (p *parser) full() bool { return len(p.errs) >= maxErrors }

// entry is one key: value pair of a YAML mapping.
type entry struct {
	key, val *yaml.Node
}

// fields is a validated mapping: its node (for positions) and its entries.
type fields struct {
	node    *yaml.Node
	entries map[string]entry
}

func (f fields) get(name string) (entry, bool) {
	e, ok := f.entries[name]
	return e, ok
}

// deref follows a YAML alias (*anchor) to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unsupported YAML node"
}

// mapping checks that n is a mapping whose keys are all in allowed (or any
// key when allowed is nil), reporting unknown and duplicate keys.
func (p *parser) mapping(n *yaml.Node, field string, allowed []string) (fields, bool) {
	n = deref(n)
	f := fields{node: n, entries: map[string]entry{}}
	if n.Kind != yaml.MappingNode {
		p.fail(n, field, ErrType, "", "expected a mapping (key: value), got %s", kindName(n))
		return f, false
	}
	if !p.budget(n, len(n.Content)) {
		return f, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		name, ok := p.keyName(k, field)
		if !ok {
			continue
		}
		if allowed != nil && !slices.Contains(allowed, name) {
			p.fail(k, join(field, name), ErrUnknownField, suggest(name, allowed), "unknown field %q", name)
			continue
		}
		if prev, dup := f.entries[name]; dup {
			p.fail(k, join(field, name), ErrDuplicate, fmt.Sprintf("already set on line %d; keep one", prev.key.Line), "%q is set twice", name)
			continue
		}
		f.entries[name] = entry{key: k, val: v}
	}
	return f, true
}

func (p *parser) keyName(k *yaml.Node, field string) (string, bool) {
	if k.Kind != yaml.ScalarNode || k.Tag == "!!null" || k.Value == "" {
		p.fail(k, field, ErrType, "keys are plain names such as dev or policy", "expected a name as key, got %s", kindName(k))
		return "", false
	}
	return k.Value, true
}

// requiredHints show what a missing field looks like.
var requiredHints = map[string]string{
	"security_account": `add security_account: "111111111111", the account that owns every key`,
	"regions":          "add regions: [eu-west-1]; the first is the primary region",
	"hsm":              `add hsm: "pkcs11:token=…?module-path=…&pin-source=env:BYOK_HSM_PIN"`,
	"roles":            `add roles: {operator: "arn:aws:iam::<security account>:role/…", verify: "arn:aws:iam::{account}:role/…"}`,
	"environments":     `add environments: {dev: {account: "222222222222"}}`,
	"services":         "add services: [s3, rds, dynamodb]",
	"operator":         `add operator: "arn:aws:iam::<security account>:role/…", the role that imports and rotates`,
	"verify":           `add verify: "arn:aws:iam::{account}:role/…", the role that checks keys from each account`,
	"account":          `add account: "222222222222", this environment's 12-digit consumer account`,
	"env":              "add env: <a name under environments>",
	"service":          "add service: s3, rds or dynamodb",
	"replicas":         "add replicas: [eu-central-1]",
}

// require reports each name missing from f.
func (p *parser) require(f fields, field string, names ...string) {
	for _, name := range names {
		if _, ok := f.entries[name]; !ok {
			p.fail(f.node, join(field, name), ErrMissing, requiredHints[name], "%s is required", name)
		}
	}
}

// scalar returns the text of a non-null scalar exactly as written (so
// 012345678901 keeps its leading zero even though YAML reads an int).
func (p *parser) scalar(n *yaml.Node, field string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.fail(n, field, ErrType, "", "expected a single value, got %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

// sequence returns the items of a YAML list.
func (p *parser) sequence(n *yaml.Node, field string) ([]*yaml.Node, bool) {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		p.fail(n, field, ErrType, "write a list as [a, b] or one '- item' per line", "expected a list, got %s", kindName(n))
		return nil, false
	}
	if !p.budget(n, len(n.Content)) {
		return nil, false
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = deref(c)
	}
	return items, true
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func index(parent string, i int) string {
	return fmt.Sprintf("%s[%d]", parent, i)
}
