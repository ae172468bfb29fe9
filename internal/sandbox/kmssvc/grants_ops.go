package kmssvc

import (
	"net/http"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

func errDryRun() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusPreconditionFailed, Code: "DryRunOperationException",
		Message: "The request would have succeeded, but the DryRun option is set."}
}

func errGrantNotFound(id string) *awsproto.Error {
	return awsproto.Errorf("NotFoundException", "Grant ID %s not found", id)
}

func errInvalidGrantID(id string) *awsproto.Error {
	return awsproto.Errorf("InvalidGrantIdException", "Invalid grant ID %s", id)
}

// grantKey resolves the key of a grant operation: a key ID in the caller's
// account or a key ARN (cross-account), never an alias.
func (s *Service) grantKey(c *svc.Call, ref string, ev *event) (*key, *awsproto.Error) {
	k, err := s.lookup(c, ref, access{action: c.Op, crossAccount: true})
	if err != nil {
		return nil, err
	}
	ev.addKey(k)
	return k, nil
}

func createGrant(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req createGrantReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	k, err := s.grantKey(c, *req.KeyId, ev)
	if err != nil {
		return nil, err
	}
	if err := s.mayCreateGrant(c, k, &req, ev); err != nil {
		return nil, err
	}
	if err := usable(k); err != nil {
		return nil, err
	}
	g := &grant{ID: newGrantID(), KeyARN: k.ARN, Account: k.Account, Region: k.Region, Name: deref(req.Name, ""),
		Grantee: *req.GranteePrincipal, Retiring: deref(req.RetiringPrincipal, ""), Operations: req.Operations,
		Constraints: req.Constraints, Created: c.Now}
	if req.Constraints.empty() {
		g.Constraints = nil
	}
	if deref(req.DryRun, false) {
		return nil, errDryRun()
	}
	if prior := s.retriedGrant(g); prior != nil {
		g = prior
	} else if len(s.grantsOf(k.ARN)) >= maxGrantsPerKey {
		return nil, awsproto.Errorf("LimitExceededException", "Key %s already has %d grants, the quota per key", k.ARN, maxGrantsPerKey)
	} else if err := s.putGrant(g); err != nil {
		return nil, err
	}
	ev.response = map[string]any{"grantId": g.ID}
	return map[string]any{"GrantId": g.ID, "GrantToken": s.sealGrantToken(g)}, nil
}

// mayCreateGrant: the key policy allows kms:CreateGrant (an explicit Deny
// wins), or a grant with the CreateGrant operation does and the new grant
// is no wider than it.
func (s *Service) mayCreateGrant(c *svc.Call, k *key, req *createGrantReq, ev *event) *awsproto.Error {
	allowed, denied := s.policyDecision(c, k, "CreateGrant")
	switch {
	case denied:
		return errAccessDenied(c.Caller.ARN, "CreateGrant", k.ARN, true)
	case allowed:
		return nil
	}
	parent := s.grantFor(c, k, access{action: "CreateGrant"})
	if parent == nil || !narrower(parent, req.Operations, req.Constraints) {
		return errAccessDenied(c.Caller.ARN, "CreateGrant", k.ARN, false)
	}
	ev.setExtra("grantId", parent.ID)
	return nil
}

// retriedGrant finds the grant a named CreateGrant request already made:
// same key, name and properties (AWS returns its GrantId, a new token).
func (s *Service) retriedGrant(g *grant) *grant {
	if g.Name == "" {
		return nil
	}
	for _, o := range s.grantsOf(g.KeyARN) {
		if o.sameAs(g) {
			return o
		}
	}
	return nil
}

type retireGrantReq struct {
	GrantToken *string
	KeyId      *string
	GrantId    *string
	DryRun     *bool
}

// retireGrant: by grant token, or by key and grant ID. The grant decides
// who may retire it: its retiring principal, its grantee when it permits
// RetireGrant, or the account that owns the key (IAM assumed to allow).
func retireGrant(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req retireGrantReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	g, err := s.grantToRetire(c, &req, ev)
	if err != nil {
		return nil, err
	}
	if !s.mayRetire(c, g) {
		return nil, awsproto.Errorf("AccessDeniedException", "User: %s is not authorized to perform: kms:RetireGrant on resource: %s because the grant does not name it as retiring or grantee principal",
			c.Caller.ARN, g.KeyARN)
	}
	if deref(req.DryRun, false) {
		return nil, errDryRun()
	}
	if err := s.dropGrant(g); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) grantToRetire(c *svc.Call, req *retireGrantReq, ev *event) (*grant, *awsproto.Error) {
	id := deref(req.GrantId, "")
	if req.GrantToken != nil {
		b, err := s.openGrantToken(*req.GrantToken)
		if err != nil {
			return nil, errInvalidGrantToken()
		}
		id = b.GrantID
	} else if req.KeyId == nil || req.GrantId == nil {
		return nil, errValidation("Either a grant token or both a key ID and a grant ID must be specified")
	}
	var k *key
	if req.KeyId != nil {
		var err *awsproto.Error
		if k, err = s.grantKey(c, *req.KeyId, ev); err != nil {
			return nil, err
		}
	}
	if !grantIDRE.MatchString(id) {
		return nil, errInvalidGrantID(id)
	}
	g := s.grants.byID[id]
	if g == nil || (k != nil && g.KeyARN != k.ARN) {
		return nil, errGrantNotFound(id)
	}
	if kk := s.keys[g.KeyARN]; kk != nil {
		ev.addKey(kk)
	}
	return g, nil
}

func (s *Service) mayRetire(c *svc.Call, g *grant) bool {
	p := s.env.Partition
	return (g.Retiring != "" && principalMatches(g.Retiring, c.Caller, p)) ||
		(g.permits("RetireGrant") && principalMatches(g.Grantee, c.Caller, p)) ||
		c.Caller.Account == g.Account
}

type revokeGrantReq struct {
	KeyId   *string
	GrantId *string
	DryRun  *bool
}

// revokeGrant is authorized by the key policy (kms:RevokeGrant) alone.
func revokeGrant(s *Service, c *svc.Call, ev *event) (any, *awsproto.Error) {
	var req revokeGrantReq
	if err := decode(c, &req); err != nil {
		return nil, err
	}
	switch {
	case req.KeyId == nil:
		return nil, errNull("keyId")
	case req.GrantId == nil:
		return nil, errNull("grantId")
	}
	k, err := s.findKey(c, *req.KeyId, access{action: "RevokeGrant", crossAccount: true}, ev)
	if err != nil {
		return nil, err
	}
	if !grantIDRE.MatchString(*req.GrantId) {
		return nil, errInvalidGrantID(*req.GrantId)
	}
	g := s.grants.byID[*req.GrantId]
	if g == nil || g.KeyARN != k.ARN {
		return nil, errGrantNotFound(*req.GrantId)
	}
	if deref(req.DryRun, false) {
		return nil, errDryRun()
	}
	if err := s.dropGrant(g); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func init() {
	register("CreateGrant", opWrite, createGrant)
	register("RetireGrant", opWrite, retireGrant)
	register("RevokeGrant", opWrite, revokeGrant)
}
