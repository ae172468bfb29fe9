package logssvc

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// Resource policy limits (PutResourcePolicy): up to 10 policies per account
// and Region, documents of 1 to 5,120 characters.
const (
	MaxPolicies     = 10
	MaxPolicyLength = 5120
)

// resourcePolicy is one account-level CloudWatch Logs resource policy.
type resourcePolicy struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Name    string `json:"policyName"`
	Doc     string `json:"policyDocument"`
	Updated int64  `json:"lastUpdatedTime"`

	parsed policyDoc
}

type putPolicyIn struct {
	PolicyName     string `json:"policyName"`
	PolicyDocument string `json:"policyDocument"`
	ResourceArn    string `json:"resourceArn"`
}

type policyOut struct {
	PolicyName      string `json:"policyName"`
	PolicyDocument  string `json:"policyDocument"`
	LastUpdatedTime int64  `json:"lastUpdatedTime"`
	PolicyScope     string `json:"policyScope"`
}

func (p *resourcePolicy) out() policyOut {
	return policyOut{PolicyName: p.Name, PolicyDocument: p.Doc, LastUpdatedTime: p.Updated, PolicyScope: "ACCOUNT"}
}

func (p *resourcePolicy) id() string { return p.Account + "/" + p.Region + "/" + p.Name }

func (s *Service) putResourcePolicy(c *svc.Call) (any, *awsproto.Error) {
	var in putPolicyIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	switch {
	case in.ResourceArn != "":
		return nil, invalidParam("The sandbox's CloudWatch Logs keeps account-level resource policies only; omit resourceArn.")
	case in.PolicyName == "":
		return nil, invalidParam("policyName is required.")
	case len(in.PolicyDocument) < 1 || len(in.PolicyDocument) > MaxPolicyLength:
		return nil, invalidParam("1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must have length between 1 and %d", MaxPolicyLength)
	}
	doc, err := parsePolicy(in.PolicyDocument)
	if err != nil {
		return nil, invalidParam("Invalid policy document: %v", err)
	}
	p := &resourcePolicy{Account: c.Caller.Account, Region: c.Region, Name: in.PolicyName, Doc: in.PolicyDocument,
		Updated: c.Now.UnixMilli(), parsed: doc}
	sc := scope{p.Account, p.Region}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.policies[sc]
	if m[p.Name] == nil && len(m) >= MaxPolicies {
		return nil, awsproto.Errorf("LimitExceededException", "Resource limit exceeded.")
	}
	if err := s.env.State.Put(kindPolicy, p.id(), p); err != nil {
		return nil, internal(err)
	}
	if m == nil {
		m = map[string]*resourcePolicy{}
		s.policies[sc] = m
	}
	m[p.Name] = p
	return map[string]any{"resourcePolicy": p.out()}, nil
}

type describePoliciesIn struct {
	NextToken string `json:"nextToken"`
	Limit     *int   `json:"limit"`
}

func (s *Service) describeResourcePolicies(c *svc.Call) (any, *awsproto.Error) {
	var in describePoliciesIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.policies[scope{c.Caller.Account, c.Region}]
	var names []string
	for n := range m {
		if n > after {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := struct {
		ResourcePolicies []policyOut `json:"resourcePolicies"`
		NextToken        string      `json:"nextToken,omitempty"`
	}{ResourcePolicies: []policyOut{}}
	for i, n := range names {
		if i == limit {
			out.NextToken = encodeNameToken(names[i-1])
			break
		}
		out.ResourcePolicies = append(out.ResourcePolicies, m[n].out())
	}
	return out, nil
}

func (s *Service) deleteResourcePolicy(c *svc.Call) (any, *awsproto.Error) {
	var in putPolicyIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.policies[scope{c.Caller.Account, c.Region}]
	p := m[in.PolicyName]
	if p == nil {
		return nil, notFound("Policy with name [%s] does not exist", in.PolicyName)
	}
	if err := s.env.State.Delete(kindPolicy, p.id()); err != nil {
		return nil, internal(err)
	}
	delete(m, in.PolicyName)
	return nil, nil
}

func (s *Service) loadPolicies() error {
	return s.env.State.Each(kindPolicy, func(_ string, raw json.RawMessage) error {
		var p resourcePolicy
		if err := json.Unmarshal(raw, &p); err != nil {
			return fmt.Errorf("load logs resource policy: %w", err)
		}
		doc, err := parsePolicy(p.Doc)
		if err != nil {
			return fmt.Errorf("load logs resource policy %s: %w", p.Name, err)
		}
		p.parsed = doc
		sc := scope{p.Account, p.Region}
		if s.policies[sc] == nil {
			s.policies[sc] = map[string]*resourcePolicy{}
		}
		s.policies[sc][p.Name] = &p
		return nil
	})
}
