package kmssvc

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// policyDoc is the part of a key policy the sandbox evaluates: Effect,
// Principal.AWS, Action (with * wildcards) and the kms:CallerAccount
// condition. Statements with other conditions never match (the sandbox
// cannot evaluate them, so it does not guess).
type policyDoc struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                          `json:"Sid,omitempty"`
	Effect    string                          `json:"Effect"`
	Principal json.RawMessage                 `json:"Principal"`
	Action    strOrList                       `json:"Action"`
	Resource  strOrList                       `json:"Resource"`
	Condition map[string]map[string]strOrList `json:"Condition,omitempty"`
	who       []string                        // Principal.AWS (or "*"), parsed once
}

type strOrList []string

func (s *strOrList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("expected a string or a list of strings")
	}
	*s = many
	return nil
}

func defaultPolicy(partition, account string) string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:` + partition + `:iam::` + account + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

// parsePolicy checks a policy document the way PutKeyPolicy needs.
func parsePolicy(doc string) (*policyDoc, error) {
	var p policyDoc
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, fmt.Errorf("policy is not valid JSON: %w", err)
	}
	if len(p.Statement) == 0 {
		return nil, fmt.Errorf("policy has no Statement")
	}
	for i, st := range p.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return nil, fmt.Errorf("statement %d: Effect must be Allow or Deny", i)
		}
		if len(st.Principal) == 0 || len(st.Action) == 0 {
			return nil, fmt.Errorf("statement %d: Principal and Action are required", i)
		}
		p.Statement[i].who = principals(st.Principal)
	}
	return &p, nil
}

func principals(raw json.RawMessage) []string {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return []string{star}
	}
	var m map[string]strOrList
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m["AWS"]
}

func principalMatches(p string, c identity.Principal, partition string) bool {
	switch p {
	case "*", c.Account, "arn:" + partition + ":iam::" + c.Account + ":root":
		return true
	}
	return p == c.ARN || (c.RoleARN != "" && p == c.RoleARN)
}

func actionMatches(pattern, action string) bool {
	pattern, action = strings.ToLower(pattern), "kms:"+strings.ToLower(action)
	if pattern == "*" {
		return true
	}
	if pre, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(action, pre)
	}
	return pattern == action
}

func (st *statement) applies(c identity.Principal, action, partition string) bool {
	for key, vals := range st.Condition {
		for ck, cv := range vals {
			if key != "StringEquals" || !strings.EqualFold(ck, "kms:CallerAccount") || !contains(cv, c.Account) {
				return false
			}
		}
	}
	pm, am := false, false
	for _, p := range st.who {
		pm = pm || principalMatches(p, c, partition)
	}
	for _, a := range st.Action {
		am = am || actionMatches(a, action)
	}
	return pm && am
}

// policyDecision evaluates k's policy for the caller: whether an Allow
// names the caller's account (IAM in that account is assumed to allow),
// role or ARN, and whether an explicit Deny does.
func (s *Service) policyDecision(c *svc.Call, k *key, action string) (allowed, denied bool) {
	for i := range k.policy.Statement {
		st := &k.policy.Statement[i]
		if !st.applies(c.Caller, action, s.env.Partition) {
			continue
		}
		if st.Effect == "Deny" {
			return false, true
		}
		allowed = true
	}
	return allowed, false
}

// authorize decides a.action on k for the caller: an explicit Deny in the
// key policy wins; otherwise a policy Allow, or a grant on k for the
// caller whose constraints a.encCtx satisfies (recorded in the trail event
// as additionalEventData.grantId, as CloudTrail does).
func (s *Service) authorize(c *svc.Call, k *key, a access, ev *event) *awsproto.Error {
	allowed, denied := s.policyDecision(c, k, a.action)
	switch {
	case denied:
		return errAccessDenied(c.Caller.ARN, a.action, k.ARN, true)
	case allowed:
		return nil
	}
	if g := s.grantFor(c, k, a); g != nil {
		ev.setExtra("grantId", g.ID)
		return nil
	}
	return errAccessDenied(c.Caller.ARN, a.action, k.ARN, false)
}

type getKeyPolicyReq struct {
	KeyId      *string
	PolicyName *string
}

func getKeyPolicy(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req getKeyPolicyReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if req.KeyId == nil {
		return nil, errNull("keyId")
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "GetKeyPolicy"}, ev)
	if err != nil {
		return nil, err
	}
	if req.PolicyName != nil && *req.PolicyName != "default" {
		return nil, awsproto.Errorf("NotFoundException", "No such policy exists")
	}
	return map[string]any{"Policy": k.Policy, "PolicyName": "default"}, nil
}

type putKeyPolicyReq struct {
	KeyId      *string
	PolicyName *string
	Policy     *string
}

func putKeyPolicy(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req putKeyPolicyReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	switch {
	case req.KeyId == nil:
		return nil, errNull("keyId")
	case req.Policy == nil:
		return nil, errNull("policy")
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "PutKeyPolicy"}, ev)
	if err != nil {
		return nil, err
	}
	if req.PolicyName != nil && *req.PolicyName != "default" {
		return nil, awsproto.Errorf("NotFoundException", "No such policy exists")
	}
	p, perr := parsePolicy(*req.Policy)
	if perr != nil {
		return nil, awsproto.Errorf("MalformedPolicyDocumentException", "%s", perr.Error())
	}
	k.Policy, k.policy = *req.Policy, p
	if err := s.putKey(k); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func init() {
	register("GetKeyPolicy", opRead, getKeyPolicy)
	register("PutKeyPolicy", opWrite, putKeyPolicy)
}
