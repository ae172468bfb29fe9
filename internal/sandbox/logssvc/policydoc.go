package logssvc

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

// policyDoc is the part of an IAM policy document a resource policy is
// evaluated on: statements with Effect, Principal, Action, Resource and the
// aws:SourceArn / aws:SourceAccount conditions services use.
type policyDoc struct {
	Statements []statement
}

type statement struct {
	Effect     string
	Services   []string // Principal.Service
	AnyOne     bool     // Principal "*" or {"AWS":"*"}
	Actions    []string
	Resources  []string
	Conditions map[string]map[string][]string // operator → key → values
}

type rawStatement struct {
	Effect    string                                `json:"Effect"`
	Principal json.RawMessage                       `json:"Principal"`
	Action    stringList                            `json:"Action"`
	Resource  stringList                            `json:"Resource"`
	Condition map[string]map[string]json.RawMessage `json:"Condition"`
}

// stringList decodes an IAM value that is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("expected a string or a list of strings")
	}
	*l = many
	return nil
}

func parsePolicy(doc string) (policyDoc, error) {
	var raw struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return policyDoc{}, fmt.Errorf("not a JSON policy document: %w", err)
	}
	var stmts []rawStatement
	if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
		var one rawStatement
		if err1 := json.Unmarshal(raw.Statement, &one); err1 != nil {
			return policyDoc{}, errors.New("Statement must be a statement or a list of statements")
		}
		stmts = []rawStatement{one}
	}
	var out policyDoc
	for i, r := range stmts {
		st, err := r.build()
		if err != nil {
			return policyDoc{}, fmt.Errorf("statement %d: %w", i+1, err)
		}
		out.Statements = append(out.Statements, st)
	}
	return out, nil
}

func (r rawStatement) build() (statement, error) {
	st := statement{Effect: r.Effect, Actions: r.Action, Resources: r.Resource, Conditions: map[string]map[string][]string{}}
	if r.Effect != "Allow" && r.Effect != "Deny" {
		return st, fmt.Errorf("Effect must be Allow or Deny, not %q", r.Effect)
	}
	if len(r.Action) == 0 || len(r.Resource) == 0 {
		return st, errors.New("Action and Resource are required")
	}
	var star string
	if json.Unmarshal(r.Principal, &star) == nil && star == "*" {
		st.AnyOne = true
	} else {
		var p struct {
			Service stringList `json:"Service"`
			AWS     stringList `json:"AWS"`
		}
		if err := json.Unmarshal(r.Principal, &p); err != nil {
			return st, errors.New("Principal must be \"*\" or an object with Service or AWS")
		}
		st.Services = p.Service
		st.AnyOne = len(p.AWS) == 1 && p.AWS[0] == "*"
	}
	for op, keys := range r.Condition {
		st.Conditions[op] = map[string][]string{}
		for k, v := range keys {
			var vals stringList
			if err := json.Unmarshal(v, &vals); err != nil {
				return st, fmt.Errorf("condition %s %s: %w", op, k, err)
			}
			st.Conditions[op][strings.ToLower(k)] = vals
		}
	}
	return st, nil
}

// request is what a service principal asks to do.
type request struct {
	service, action, resource string
	context                   map[string]string // lower-case condition keys
}

// allows evaluates the documents for r: an explicit Deny wins, else an
// Allow must match.
func allows(docs []policyDoc, r request) bool {
	allowed := false
	for _, d := range docs {
		for _, st := range d.Statements {
			if !st.applies(r) {
				continue
			}
			if st.Effect == "Deny" {
				return false
			}
			allowed = true
		}
	}
	return allowed
}

func (st statement) applies(r request) bool {
	if !st.AnyOne && !contains(st.Services, r.service) {
		return false
	}
	if !anyMatch(st.Actions, r.action, true) || !anyMatch(st.Resources, r.resource, false) {
		return false
	}
	for op, keys := range st.Conditions {
		for k, vals := range keys {
			if !condition(op, r.context[k], vals) {
				return false
			}
		}
	}
	return true
}

// condition evaluates the string and ARN operators; an operator the
// sandbox does not know never matches, so it cannot widen access.
func condition(op, have string, vals []string) bool {
	switch op {
	case "StringEquals", "ArnEquals":
		return contains(vals, have)
	case "StringLike", "ArnLike":
		return anyMatch(vals, have, false)
	}
	return false
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			p, s = strings.ToLower(p), strings.ToLower(s)
		}
		if wildcard(p, s) {
			return true
		}
	}
	return false
}

// wildcard matches IAM's * and ? (path.Match treats '/' specially, so '/'
// and the bracket characters are escaped first).
func wildcard(p, s string) bool {
	q := strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`).Replace(p)
	q = strings.ReplaceAll(q, "/", "\x00")
	ok, err := path.Match(q, strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
