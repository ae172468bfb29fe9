package discover

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
)

// ErrBadPolicy is returned by PolicyAccounts for a key policy that is not a
// JSON policy document.
var ErrBadPolicy = errors.New("key policy is not a policy document")

var (
	accountIDRE  = regexp.MustCompile(`^\d{12}$`)
	principalARN = regexp.MustCompile(`^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):(?:root|role/.+|user/.+|assumed-role/.+)$`)
)

// Principals is what a key policy grants, read as accounts.
type Principals struct {
	Accounts []string // accounts other than the owner named by Allow statements, sorted
	// Unreadable says, per statement, why it cannot be read as an account
	// list (a wildcard principal, a condition, a principal that is no
	// account); such statements add no account.
	Unreadable []string
}

type policyDoc struct {
	Statement json.RawMessage `json:"Statement"`
}

type statement struct {
	Sid       string          `json:"Sid"`
	Effect    string          `json:"Effect"`
	Principal json.RawMessage `json:"Principal"`
	Condition json.RawMessage `json:"Condition"`
}

// PolicyAccounts reads the accounts a key policy allows, other than owner.
func PolicyAccounts(doc, owner string) (Principals, error) {
	var d policyDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return Principals{}, fmt.Errorf("%w: %v", ErrBadPolicy, err)
	}
	var stmts []statement
	if err := json.Unmarshal(d.Statement, &stmts); err != nil {
		var one statement
		if err2 := json.Unmarshal(d.Statement, &one); err2 != nil {
			return Principals{}, fmt.Errorf("%w: Statement is neither a list nor a statement", ErrBadPolicy)
		}
		stmts = []statement{one}
	}
	seen := map[string]bool{}
	var out Principals
	for i, s := range stmts {
		name := s.Sid
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		if s.Effect != "Allow" {
			continue
		}
		accts, why := statementAccounts(s)
		if why != "" {
			out.Unreadable = append(out.Unreadable, "statement "+name+": "+why)
			continue
		}
		for _, a := range accts {
			if a != owner && !seen[a] {
				seen[a] = true
				out.Accounts = append(out.Accounts, a)
			}
		}
	}
	sort.Strings(out.Accounts)
	return out, nil
}

// statementAccounts returns the accounts of one Allow statement, or why
// they cannot be read.
func statementAccounts(s statement) ([]string, string) {
	var star string
	if json.Unmarshal(s.Principal, &star) == nil {
		return nil, fmt.Sprintf("principal %q allows anyone; byok cannot read it as an account list", star)
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(s.Principal, &p); err != nil {
		return nil, "no readable Principal"
	}
	raw, ok := p["AWS"]
	if !ok {
		return nil, "" // service principals only: no account
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var one string
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, "Principal.AWS is neither a string nor a list"
		}
		list = []string{one}
	}
	if len(s.Condition) > 0 && string(s.Condition) != "null" && string(s.Condition) != "{}" {
		return nil, "has a Condition; byok cannot tell which accounts it admits"
	}
	var out []string
	for _, v := range list {
		switch m := principalARN.FindStringSubmatch(v); {
		case v == "*":
			return nil, `principal "*" allows any account`
		case accountIDRE.MatchString(v):
			out = append(out, v)
		case m != nil:
			out = append(out, m[1])
		default:
			return nil, fmt.Sprintf("principal %q is not an account, role or user ARN", v)
		}
	}
	return out, ""
}
