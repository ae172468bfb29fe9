// Package securityhubsvc is the sandbox's AWS Security Hub (REST-JSON, API
// 2018-10-26) for finding providers and their customers: BatchImportFindings
// (at most 100 findings per call, per-finding ASFF validation reported in
// FailedFindings with ErrorCode/ErrorMessage as AWS words them, updates of a
// provider's own findings that keep the customer's Workflow, Note,
// VerificationState and UserDefinedFields), GetFindings (string filters on
// Id, ProductArn, GeneratorId, AwsAccountId, RecordState, WorkflowStatus,
// ComplianceStatus and ResourceId with EQUALS/PREFIX/NOT_EQUALS/
// PREFIX_NOT_EQUALS/CONTAINS/NOT_CONTAINS; MaxResults and NextToken) and
// BatchUpdateFindings (Workflow, Note, VerificationState; unknown findings
// in UnprocessedFindings). Findings are regional and per account: a caller
// sees and updates those of its own account in the Region it signs for.
// Findings live in memory for the life of the sandbox process; the service
// does not authenticate (the server does) and emits no EventBridge events.
package securityhubsvc

import (
	"net/http"
	"sync"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// Service is the Security Hub service. Create with New.
type Service struct {
	env *svc.Env

	mu       sync.Mutex
	findings map[findingKey]*finding
}

// findingKey places a finding: Security Hub keeps findings per account and
// Region, identified by product ARN and finding ID.
type findingKey struct{ account, region, productArn, id string }

// finding is one stored finding: the ASFF document as imported (plus the
// fields Security Hub maintains) and its position in import order.
type finding struct {
	doc map[string]any
	seq int
}

// New returns the Security Hub service sharing env.
func New(env *svc.Env) *Service {
	return &Service{env: env, findings: map[findingKey]*finding{}}
}

// SigningName implements svc.Service.
func (*Service) SigningName() string { return "securityhub" }

// Protocol implements svc.Service.
func (*Service) Protocol() awsproto.Protocol { return awsproto.RestJSON }

// routes maps method and path to the operation, as the SDK serializes them.
var routes = map[[2]string]string{
	{http.MethodPost, "/findings/import"}:       "BatchImportFindings",
	{http.MethodPost, "/findings"}:              "GetFindings",
	{http.MethodPatch, "/findings/batchupdate"}: "BatchUpdateFindings",
}

// Operation implements svc.Service.
func (*Service) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	if op, ok := routes[[2]string{r.Method, r.URL.Path}]; ok {
		return op, nil
	}
	return "", &awsproto.Error{Status: http.StatusNotFound, Code: "UnknownOperationException",
		Message: "the sandbox's Security Hub serves BatchImportFindings, GetFindings and BatchUpdateFindings, not " + r.Method + " " + r.URL.Path}
}

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	var out any
	var err *awsproto.Error
	switch c.Op {
	case "BatchImportFindings":
		out, err = s.batchImport(c)
	case "GetFindings":
		out, err = s.getFindings(c)
	case "BatchUpdateFindings":
		out, err = s.batchUpdate(c)
	default:
		err = awsproto.Errorf("UnknownOperationException", "unknown operation %s", c.Op)
	}
	awsproto.WriteResult(w, awsproto.RestJSON, c.RequestID, out, err)
}

// Quotas are Security Hub's documented rates per account and Region:
// BatchImportFindings and BatchUpdateFindings 10 per second (burst 30),
// GetFindings 3 per second (burst 6). The sandbox enforces the steady rates.
func Quotas() []faults.Quota {
	return []faults.Quota{
		{Name: "securityhub-import", Ops: []string{"BatchImportFindings"}, PerSecond: 10},
		{Name: "securityhub-update", Ops: []string{"BatchUpdateFindings"}, PerSecond: 10},
		{Name: "securityhub-get", Ops: []string{"GetFindings"}, PerSecond: 3},
	}
}

// ThrottleError is Security Hub's throttling error: LimitExceededException,
// HTTP 429, which the SDK's retryer treats as throttling.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusTooManyRequests, Code: "LimitExceededException", Message: "Rate exceeded"}
}

func invalidInput(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("InvalidInputException", format, args...)
}
