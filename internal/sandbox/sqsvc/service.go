package sqsvc

import (
	"net/http"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// TargetPrefix prefixes every Service Quotas X-Amz-Target.
const TargetPrefix = "ServiceQuotasV20190624"

// Service is the Service Quotas service. Create with New.
type Service struct {
	env *svc.Env
	inj *faults.Injector
}

// New returns Service Quotas over the quotas (defaults and applied values)
// of inj.
func New(env *svc.Env, inj *faults.Injector) *Service {
	return &Service{env: env, inj: inj}
}

// SigningName implements svc.Service.
func (*Service) SigningName() string { return "servicequotas" }

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
	case "ListServiceQuotas":
		out, aerr = s.list(c, true)
	case "ListAWSDefaultServiceQuotas":
		out, aerr = s.list(c, false)
	case "GetServiceQuota":
		out, aerr = s.get(c, true)
	case "GetAWSDefaultServiceQuota":
		out, aerr = s.get(c, false)
	default:
		aerr = awsproto.Errorf("UnknownOperationException", "the sandbox's Service Quotas does not serve %s", c.Op)
	}
	awsproto.WriteResult(w, awsproto.JSON11, c.RequestID, out, aerr)
}

// ThrottleError is Service Quotas' throttling error.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "TooManyRequestsException", Message: "Rate exceeded"}
}
