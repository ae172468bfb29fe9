// Package stssvc is the sandbox's AWS Security Token Service (Query/XML,
// API version 2011-06-15): GetCallerIdentity and AssumeRole. Roles and their
// trust policies live in the identity registry (the seed registers them);
// this package validates requests as STS does, issues session credentials
// through the registry and records AssumeRole in the CloudTrail store. It
// does not authenticate requests (the server does, including the
// ExpiredToken check on session credentials) and evaluates no IAM
// permission policies beyond the role's trust policy.
package stssvc

import (
	"net/http"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// APIVersion is the only STS API version served.
const APIVersion = "2011-06-15"

// xmlns is the namespace of every STS response.
const xmlns = "https://sts.amazonaws.com/doc/" + APIVersion + "/"

// Service is the STS service. Create with New.
type Service struct {
	env *svc.Env
}

// New returns the STS service sharing env.
func New(env *svc.Env) (*Service, error) {
	return &Service{env: env}, nil
}

// SigningName implements svc.Service.
func (*Service) SigningName() string { return "sts" }

// Protocol implements svc.Service.
func (*Service) Protocol() awsproto.Protocol { return awsproto.Query }

// Operation implements svc.Service: the Action of the form body.
func (*Service) Operation(r *http.Request, body []byte) (string, *awsproto.Error) {
	form, err := awsproto.QueryForm(r, body)
	if err != nil {
		return "", err
	}
	action, version := form.Get("Action"), form.Get("Version")
	if (action != "AssumeRole" && action != "GetCallerIdentity") || (version != "" && version != APIVersion) {
		return "", awsproto.Errorf("InvalidAction", "Could not find operation %s for version %s", action, version)
	}
	return action, nil
}

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	form, aerr := awsproto.QueryForm(c.Req, c.Body)
	if aerr != nil {
		awsproto.WriteError(w, awsproto.Query, c.RequestID, aerr)
		return
	}
	switch c.Op {
	case "GetCallerIdentity":
		awsproto.WriteQuery(w, c.RequestID, callerIdentity(c))
	case "AssumeRole":
		s.assumeRole(w, c, form)
	default:
		awsproto.WriteError(w, awsproto.Query, c.RequestID,
			awsproto.Errorf("InvalidAction", "Could not find operation %s for version %s", c.Op, APIVersion))
	}
}

// Quotas are STS's request quotas (per account and Region: 600 requests
// per second shared by the API operations byok calls).
func Quotas() []faults.Quota {
	return faults.FromTable(pace.ServiceSTS)
}

// ThrottleError is STS's throttling error.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}
}

type getCallerIdentityResponse struct {
	XMLName  struct{}                  `xml:"GetCallerIdentityResponse"`
	Xmlns    string                    `xml:"xmlns,attr"`
	Arn      string                    `xml:"GetCallerIdentityResult>Arn"`
	UserID   string                    `xml:"GetCallerIdentityResult>UserId"`
	Account  string                    `xml:"GetCallerIdentityResult>Account"`
	Metadata awsproto.ResponseMetadata `xml:"ResponseMetadata"`
}

func callerIdentity(c *svc.Call) getCallerIdentityResponse {
	return getCallerIdentityResponse{Xmlns: xmlns, Arn: c.Caller.ARN, UserID: c.Caller.UserID,
		Account: c.Caller.Account, Metadata: awsproto.ResponseMetadata{RequestID: c.RequestID}}
}
