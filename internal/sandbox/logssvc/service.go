package logssvc

import (
	"net/http"
	"sync"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// TargetPrefix prefixes every CloudWatch Logs X-Amz-Target.
const TargetPrefix = "Logs_20140328"

// Service is the CloudWatch Logs service. Create with New.
type Service struct {
	env *svc.Env

	mu       sync.Mutex
	groups   map[groupKey]*group
	policies map[scope]map[string]*resourcePolicy
	seq      uint64 // last event sequence number handed out
}

// scope is one account and Region.
type scope struct{ account, region string }

type groupKey struct {
	scope
	name string
}

// New returns CloudWatch Logs on env, loading the groups, streams, policies
// and events already in env's state log.
func New(env *svc.Env) (*Service, error) {
	s := &Service{env: env, groups: map[groupKey]*group{}, policies: map[scope]map[string]*resourcePolicy{}}
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// SigningName implements svc.Service.
func (*Service) SigningName() string { return "logs" }

// Protocol implements svc.Service.
func (*Service) Protocol() awsproto.Protocol { return awsproto.JSON11 }

// Operation implements svc.Service.
func (*Service) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	return awsproto.JSONOperation(r, TargetPrefix)
}

var handlers = svc.Handlers[Service]{
	"CreateLogGroup":           (*Service).createLogGroup,
	"DeleteLogGroup":           (*Service).deleteLogGroup,
	"DescribeLogGroups":        (*Service).describeLogGroups,
	"PutRetentionPolicy":       (*Service).putRetentionPolicy,
	"CreateLogStream":          (*Service).createLogStream,
	"DescribeLogStreams":       (*Service).describeLogStreams,
	"PutLogEvents":             (*Service).putLogEvents,
	"FilterLogEvents":          (*Service).filterLogEvents,
	"GetLogEvents":             (*Service).getLogEvents,
	"PutResourcePolicy":        (*Service).putResourcePolicy,
	"DescribeResourcePolicies": (*Service).describeResourcePolicies,
	"DeleteResourcePolicy":     (*Service).deleteResourcePolicy,
}

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	svc.ServeJSON11(w, c, s, handlers, "CloudWatch Logs")
}

// Quotas are CloudWatch Logs' request quotas from the pace table.
func Quotas() []faults.Quota {
	return faults.FromTable(pace.ServiceLogs)
}

// ThrottleError is CloudWatch Logs' throttling error.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
}

func invalidParam(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("InvalidParameterException", format, args...)
}

func notFound(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("ResourceNotFoundException", format, args...)
}

func decode(c *svc.Call, v any) *awsproto.Error {
	if err := awsproto.DecodeJSON(c.Body, v); err != nil {
		return err
	}
	return nil
}
