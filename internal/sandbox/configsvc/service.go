package configsvc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const (
	targetPrefix = "StarlingDoveService"
	kindHistory  = "config.history"
	kindEval     = "config.evaluation"
	kindToken    = "config.token"
	kindRule     = "config.rule"
)

type scope struct{ account, region string }

// Service is the sandbox's Config. Safe for concurrent use.
type Service struct {
	env     *svc.Env
	sources []Source
	extra   *injected // test fault hook: InjectItem

	mu      sync.Mutex
	history map[scope]map[string]*history // resKey → history
	evals   map[string]*evaluation        // evalKey → latest result
	tokens  map[string]resultToken
	rules   map[string]*rule // ruleKey → rule
	failN   int              // test fault hook: FailEvaluations
}

// New returns the Config service recording the resources of sources (the
// RDS, DynamoDB and S3 services), loading what env.State holds.
func New(env *svc.Env, sources ...Source) (*Service, error) {
	extra := &injected{items: map[scope]map[string]Item{}}
	s := &Service{env: env, sources: append(sources, extra), extra: extra, history: map[scope]map[string]*history{},
		evals: map[string]*evaluation{}, tokens: map[string]resultToken{}, rules: map[string]*rule{}}
	err := loadKind(env, kindHistory, func(h *history) { s.putHistory(h) })
	if err == nil {
		err = loadKind(env, kindEval, func(e *evaluation) { s.evals[e.key()] = e })
	}
	if err == nil {
		err = loadKind(env, kindToken, func(t *resultToken) { s.tokens[t.Token] = *t })
	}
	if err == nil {
		err = loadKind(env, kindRule, func(r *rule) { s.rules[ruleKey(r.Account, r.Region, r.Name)] = r })
	}
	if err != nil {
		return nil, fmt.Errorf("load config state: %w", err)
	}
	return s, nil
}

func loadKind[T any](env *svc.Env, kind string, add func(*T)) error {
	return env.State.Each(kind, func(id string, raw json.RawMessage) error {
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("%s %s: %w", kind, id, err)
		}
		add(v)
		return nil
	})
}

// SigningName implements svc.Service.
func (s *Service) SigningName() string { return "config" }

// Protocol implements svc.Service.
func (s *Service) Protocol() awsproto.Protocol { return awsproto.JSON11 }

// Operation implements svc.Service.
func (s *Service) Operation(r *http.Request, _ []byte) (string, *awsproto.Error) {
	return awsproto.JSONOperation(r, targetPrefix)
}

type handler func(s *Service, c *svc.Call) (any, *awsproto.Error)

var handlers = map[string]handler{
	"PutEvaluations":                   (*Service).putEvaluations,
	"GetComplianceDetailsByConfigRule": (*Service).complianceDetails,
	"GetResourceConfigHistory":         (*Service).resourceHistory,
	"ListDiscoveredResources":          (*Service).listDiscovered,
	"BatchGetResourceConfig":           (*Service).batchGet,
	"GetComplianceDetailsByResource":   (*Service).complianceDetailsByResource,
	"DescribeComplianceByResource":     (*Service).describeComplianceByResource,
}

// Serve implements svc.Service.
func (s *Service) Serve(w http.ResponseWriter, c *svc.Call) {
	h := handlers[c.Op]
	if h == nil {
		awsproto.WriteError(w, awsproto.JSON11, c.RequestID, awsproto.Errorf("UnknownOperationException", ""))
		return
	}
	out, err := h(s, c)
	awsproto.WriteResult(w, awsproto.JSON11, c.RequestID, out, err)
}

func internalError(err error) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusInternalServerError, Code: "InternalFailure",
		Message: "the sandbox could not persist state: " + err.Error(), Server: true}
}

func validation(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("ValidationException", format, args...)
}
