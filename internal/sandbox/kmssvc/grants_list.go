package kmssvc

import (
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// grantEntry is GrantListEntry. KeyId is the key ARN and IssuingAccount
// the key owner's account root ARN, as ListGrants shows them.
type grantEntry struct {
	KeyId             string
	GrantId           string
	Name              *string `json:",omitempty"`
	CreationDate      epoch
	GranteePrincipal  string
	RetiringPrincipal *string `json:",omitempty"`
	IssuingAccount    string
	Operations        []string
	Constraints       *constraints `json:",omitempty"`
}

func (s *Service) entry(g *grant) grantEntry {
	e := grantEntry{KeyId: g.KeyARN, GrantId: g.ID, CreationDate: epoch(g.Created), GranteePrincipal: g.Grantee,
		IssuingAccount: "arn:" + s.env.Partition + ":iam::" + g.Account + ":root", Operations: g.Operations,
		Constraints: g.Constraints}
	if g.Name != "" {
		e.Name = &g.Name
	}
	if g.Retiring != "" {
		e.RetiringPrincipal = &g.Retiring
	}
	return e
}

func (s *Service) page(req *listReq, gs []*grant) (any, *awsproto.Error) {
	from, to, next, err := req.page(len(gs), 50, 100)
	if err != nil {
		return nil, err
	}
	out := []grantEntry{}
	for _, g := range gs[from:to] {
		out = append(out, s.entry(g))
	}
	return listOut("Grants", out, next), nil
}

type listGrantsReq struct {
	listReq
	KeyId                   *string
	GrantId                 *string
	GranteePrincipal        *string
	GranteeServicePrincipal *string
}

// listGrants lists a key's grants (kms:ListGrants in the key policy;
// cross-account by key ARN), filtered by grant ID or grantee principal.
func listGrants(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req listGrantsReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	switch {
	case req.KeyId == nil:
		return nil, errNull("keyId")
	case req.GranteeServicePrincipal != nil:
		return nil, errValidation("The GranteeServicePrincipal filter is only usable by callers in a service principal")
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "ListGrants", crossAccount: true}, ev)
	if err != nil {
		return nil, err
	}
	var gs []*grant
	for _, g := range s.grantsOf(k.ARN) {
		if (req.GrantId == nil || g.ID == *req.GrantId) && (req.GranteePrincipal == nil || g.Grantee == *req.GranteePrincipal) {
			gs = append(gs, g)
		}
	}
	return s.page(&req.listReq, gs)
}

type listRetirableReq struct {
	listReq
	RetiringPrincipal        *string
	RetiringServicePrincipal *string
}

// listRetirableGrants lists the grants of the Region, on keys of any
// account, whose retiring principal is the one named; that principal must
// be in the caller's account (the permission is the caller's IAM policy,
// assumed to allow).
func listRetirableGrants(s *Service, c *svc.Call, _ *event) (any, *awsproto.Error) {
	var req listRetirableReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	switch {
	case req.RetiringServicePrincipal != nil:
		return nil, errValidation("The RetiringServicePrincipal filter is only usable by callers in a service principal")
	case req.RetiringPrincipal == nil:
		return nil, errNull("retiringPrincipal")
	}
	p := *req.RetiringPrincipal
	if err := validPrincipal("retiringPrincipal", p); err != nil {
		return nil, err
	}
	if principalAccount(p) != c.Caller.Account {
		return nil, awsproto.Errorf("AccessDeniedException", "User: %s is not authorized to perform: kms:ListRetirableGrants on resource: %s because the retiring principal is not in the caller's account",
			c.Caller.ARN, p)
	}
	var gs []*grant
	for _, g := range s.grants.byID {
		if g.Region == c.Region && g.Retiring == p {
			gs = append(gs, g)
		}
	}
	sortGrants(gs)
	return s.page(&req.listReq, gs)
}

// principalAccount is the account ID of a principal ARN validPrincipal accepted.
func principalAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

func init() {
	register("ListGrants", opRead, listGrants)
	register("ListRetirableGrants", opRead, listRetirableGrants)
}
