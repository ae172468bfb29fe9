package eventssvc

import (
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/logssvc"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// TargetPrefix prefixes every EventBridge X-Amz-Target.
const TargetPrefix = "AWSEvents"

// Service is the EventBridge service. Create with New.
type Service struct {
	env  *svc.Env
	logs *logssvc.Service

	mu    sync.RWMutex
	rules map[scope]map[string]*rule
	// enabled counts enabled rules in every scope: the delivery fast path.
	enabled atomic.Int64
}

type scope struct{ account, region string }

// New returns EventBridge on env delivering into logs, loads the rules in
// env's state log, delivers what a killed process may have left undelivered
// (see ReplayWindow) and subscribes to env's CloudTrail store.
func New(env *svc.Env, logs *logssvc.Service) (*Service, error) {
	s := &Service{env: env, logs: logs, rules: map[scope]map[string]*rule{}}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.replay()
	env.Trail.Subscribe(s.onTrailEvent)
	return s, nil
}

// SigningName implements svc.Service.
func (*Service) SigningName() string { return "events" }

// Protocol implements svc.Service.
func (*Service) Protocol() awsproto.Protocol { return awsproto.JSON11 }

// Operation implements svc.Service.
func (*Service) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	return awsproto.JSONOperation(r, TargetPrefix)
}

var handlers = svc.Handlers[Service]{
	"PutRule":           (*Service).putRule,
	"DescribeRule":      (*Service).describeRule,
	"ListRules":         (*Service).listRules,
	"DeleteRule":        (*Service).deleteRule,
	"EnableRule":        (*Service).enableRule,
	"DisableRule":       (*Service).disableRule,
	"PutTargets":        (*Service).putTargets,
	"ListTargetsByRule": (*Service).listTargets,
	"RemoveTargets":     (*Service).removeTargets,
	"TestEventPattern":  (*Service).testEventPattern,
}

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	svc.ServeJSON11(w, c, s, handlers, "EventBridge")
}

// Quotas are EventBridge's API request quotas from the pace table.
func Quotas() []faults.Quota {
	return faults.FromTable(pace.ServiceEvents)
}

// ThrottleError is EventBridge's throttling error.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
}

func validation(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("ValidationException", format, args...)
}

func internal(err error) *awsproto.Error {
	return &awsproto.Error{Status: 500, Code: "InternalException", Message: "the sandbox could not persist the change: " + err.Error(), Server: true}
}
