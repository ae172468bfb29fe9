// Package ctsvc is the sandbox's CloudTrail (JSON 1.1, signing name
// "cloudtrail"): LookupEvents over the events other services record in the
// trail store, as CloudTrail's event history shows them: only events visible
// in the caller's account and Region, newest first, the last 90 days, one
// lookup attribute at most, opaque pagination tokens bound to the query.
// It records nothing itself and offers no trails, event data stores or
// Insights.
package ctsvc

import (
	"net/http"
	"strings"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// Target prefixes of CloudTrail operations: the Go SDK sends the short one,
// botocore (the AWS CLI) the long one; CloudTrail accepts both.
const (
	TargetPrefix      = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
	ShortTargetPrefix = "CloudTrail_20131101"
)

// Service is the CloudTrail service. Create with New.
type Service struct {
	env *svc.Env
}

// New returns the CloudTrail service reading env's trail store.
func New(env *svc.Env) (*Service, error) {
	return &Service{env: env}, nil
}

// SigningName implements svc.Service.
func (*Service) SigningName() string { return "cloudtrail" }

// Protocol implements svc.Service.
func (*Service) Protocol() awsproto.Protocol { return awsproto.JSON11 }

// Operation implements svc.Service.
func (*Service) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	target := r.Header.Get("X-Amz-Target")
	if target == "" {
		return "", awsproto.Errorf("MissingAction", "Missing X-Amz-Target header")
	}
	op, ok := strings.CutPrefix(target, TargetPrefix+".")
	if !ok {
		op, ok = strings.CutPrefix(target, ShortTargetPrefix+".")
	}
	if !ok || op != "LookupEvents" {
		return "", awsproto.Errorf("UnknownOperationException", "the sandbox's CloudTrail serves LookupEvents only, not %q", target)
	}
	return op, nil
}

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	out, aerr := s.lookupEvents(c)
	awsproto.WriteResult(w, awsproto.JSON11, c.RequestID, out, aerr)
}

// Quotas are CloudTrail's request quotas: LookupEvents is limited to two
// requests per second per account and Region.
func Quotas() []faults.Quota {
	return faults.FromTable(pace.ServiceCloudTrail)
}

// ThrottleError is CloudTrail's throttling error.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
}
