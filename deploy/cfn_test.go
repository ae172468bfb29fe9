package deploy_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// shortForms maps CloudFormation's YAML short-form tags to their long form.
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!Join": "Fn::Join", "!If": "Fn::If", "!Not": "Fn::Not",
	"!Equals": "Fn::Equals", "!And": "Fn::And", "!Or": "Fn::Or", "!Select": "Fn::Select", "!Split": "Fn::Split",
	"!FindInMap": "Fn::FindInMap", "!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue", "!Base64": "Fn::Base64",
	"!Cidr": "Fn::Cidr",
}

// pseudo are CloudFormation's pseudo parameters.
var pseudo = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true, "AWS::Partition": true,
	"AWS::Region": true, "AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true,
}

// template is a parsed template in long form (maps, slices, scalars).
type template struct {
	Name       string
	Parameters map[string]any
	Conditions map[string]any
	Resources  map[string]any
	Root       map[string]any
}

func loadTemplate(path string) (*template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseTemplate(path, b)
}

func parseTemplate(name string, b []byte) (*template, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	v, err := longForm(&n)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a mapping", name)
	}
	t := &template{Name: name, Root: root}
	t.Parameters, _ = root["Parameters"].(map[string]any)
	t.Conditions, _ = root["Conditions"].(map[string]any)
	t.Resources, _ = root["Resources"].(map[string]any)
	if len(t.Resources) == 0 {
		return nil, fmt.Errorf("%s: no Resources", name)
	}
	return t, nil
}

// longForm decodes a node, turning short-form tags into {"Fn::X": …}.
func longForm(n *yaml.Node) (any, error) {
	if n.Kind == yaml.DocumentNode {
		return longForm(n.Content[0])
	}
	tag := n.Tag
	n2 := *n
	if fn, ok := shortForms[tag]; ok {
		n2.Tag = ""
		inner, err := plain(&n2)
		if err != nil {
			return nil, err
		}
		if s, isStr := inner.(string); fn == "Fn::GetAtt" && isStr {
			res, attr, _ := strings.Cut(s, ".")
			inner = []any{res, attr}
		}
		return map[string]any{fn: inner}, nil
	}
	if strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, tag)
	}
	return plain(n)
}

func plain(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := longForm(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			v, err := longForm(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.AliasNode:
		return longForm(n.Alias)
	}
	if n.Tag == "" || n.Tag == "!!str" || n.Style != 0 {
		return n.Value, nil
	}
	var v any
	err := n.Decode(&v)
	return v, err
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// checkRefs reports every Ref, GetAtt, Sub variable, Condition and
// DependsOn that names nothing in the template.
func (t *template) checkRefs() []string {
	var bad []string
	isParamOrRes := func(s string) bool { _, p := t.Parameters[s]; _, r := t.Resources[s]; return p || r || pseudo[s] }
	walk(t.Root, func(fn string, arg any) {
		switch fn {
		case "Ref":
			if s, _ := arg.(string); !isParamOrRes(s) {
				bad = append(bad, "Ref "+fmt.Sprint(arg))
			}
		case "Fn::GetAtt":
			l, _ := arg.([]any)
			if len(l) != 2 || t.Resources[fmt.Sprint(l[0])] == nil {
				bad = append(bad, "GetAtt "+fmt.Sprint(arg))
			}
		case "Fn::Sub":
			bad = append(bad, t.checkSub(arg, isParamOrRes)...)
		case "Fn::If", "Condition":
			name := arg
			if l, ok := arg.([]any); ok && len(l) > 0 {
				name = l[0]
			}
			if t.Conditions[fmt.Sprint(name)] == nil {
				bad = append(bad, "Condition "+fmt.Sprint(name))
			}
		}
	})
	for name, r := range t.Resources {
		for _, d := range asList(r.(map[string]any)["DependsOn"]) {
			if t.Resources[fmt.Sprint(d)] == nil {
				bad = append(bad, name+" DependsOn "+fmt.Sprint(d))
			}
		}
	}
	return bad
}

func (t *template) checkSub(arg any, known func(string) bool) []string {
	var s string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		s = a
	case []any:
		if len(a) == 2 {
			s, _ = a[0].(string)
			vars, _ = a[1].(map[string]any)
		}
	}
	var bad []string
	for _, m := range subVar.FindAllStringSubmatch(s, -1) {
		name := m[1]
		if strings.HasPrefix(name, "!") || vars[name] != nil {
			continue
		}
		if res, _, ok := strings.Cut(name, "."); ok && t.Resources[res] != nil {
			continue
		}
		if !known(name) {
			bad = append(bad, "Sub ${"+name+"}")
		}
	}
	return bad
}

// walk calls f for every intrinsic function (one-key map "Ref"/"Fn::…"/"Condition").
func walk(v any, f func(fn string, arg any)) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, a := range x {
				if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
					f(k, a)
				}
			}
		}
		for _, c := range x {
			walk(c, f)
		}
	case []any:
		for _, c := range x {
			walk(c, f)
		}
	}
}

func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}
