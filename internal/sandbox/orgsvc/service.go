package orgsvc

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"sync"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// TargetPrefix prefixes every Organizations X-Amz-Target.
const TargetPrefix = "AWSOrganizationsV20161128"

// Member is one account of the organization.
type Member struct {
	ID, Name, Email string
}

// Organization is what SetOrganization installs.
type Organization struct {
	Management string   // management account ID
	Members    []Member // every account, the management account included
	// Delegated are member accounts registered as delegated administrators
	// (they may call ListAccounts).
	Delegated []string
}

// Service is the Organizations service. Create with New.
type Service struct {
	env *svc.Env
	mu  sync.Mutex
	org *Organization
	id  string
}

// New returns Organizations with no organization.
func New(env *svc.Env) *Service { return &Service{env: env} }

// SetOrganization replaces the organization (nil: none).
func (s *Service) SetOrganization(o *Organization) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o == nil {
		s.org, s.id = nil, ""
		return
	}
	c := *o
	c.Members = append([]Member(nil), o.Members...)
	sort.Slice(c.Members, func(i, j int) bool { return c.Members[i].ID < c.Members[j].ID })
	sum := sha256.Sum256([]byte(o.Management))
	s.org, s.id = &c, "o-"+hex.EncodeToString(sum[:5])
}

// SigningName implements svc.Service.
func (*Service) SigningName() string { return "organizations" }

// Protocol implements svc.Service.
func (*Service) Protocol() awsproto.Protocol { return awsproto.JSON11 }

// Operation implements svc.Service.
func (*Service) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	return awsproto.JSONOperation(r, TargetPrefix)
}

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	var out any
	var aerr *awsproto.Error
	switch c.Op {
	case "DescribeOrganization":
		out, aerr = s.describe(c)
	case "ListAccounts":
		out, aerr = s.listAccounts(c)
	default:
		aerr = awsproto.Errorf("UnknownOperationException", "the sandbox's Organizations does not serve %s", c.Op)
	}
	awsproto.WriteResult(w, awsproto.JSON11, c.RequestID, out, aerr)
}

// ThrottleError is Organizations' throttling error.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "TooManyRequestsException", Message: "AWS Organizations can't complete your request because the request rate is too high."}
}
