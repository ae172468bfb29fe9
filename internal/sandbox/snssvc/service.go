// Package snssvc is the sandbox's Amazon SNS (Query/XML, API version
// 2010-03-31): CreateTopic, DeleteTopic, ListTopics, Publish, Subscribe,
// ListSubscriptions and ListSubscriptionsByTopic, with SNS's validation and
// error codes (InvalidParameter, NotFound, AuthorizationError). Published
// messages are kept in memory and listed by the admin endpoint
// GET /_byok/sns/messages, so tests read what byok serve alerted; nothing is
// delivered to subscribers. It does not authenticate requests (the server
// does) and topics live only as long as the sandbox process.
package snssvc

import (
	"net/http"
	"sync"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// APIVersion is the only SNS API version served.
const APIVersion = "2010-03-31"

const xmlns = "http://sns.amazonaws.com/doc/" + APIVersion + "/"

// Service is the SNS service. Create with New.
type Service struct {
	env *svc.Env

	mu       sync.Mutex
	topics   map[string]*topic // by ARN
	messages []Message
	nextSub  int
}

type topic struct {
	arn, account, region, name string
	subs                       []subscription
}

type subscription struct{ arn, protocol, endpoint, owner string }

// Message is one published message, as the admin endpoint lists it.
type Message struct {
	MessageID string `json:"message_id"`
	TopicARN  string `json:"topic_arn"`
	Subject   string `json:"subject,omitempty"`
	Message   string `json:"message"`
	Publisher string `json:"publisher"`
	Time      string `json:"time"`
}

// New returns the SNS service sharing env.
func New(env *svc.Env) (*Service, error) {
	return &Service{env: env, topics: map[string]*topic{}}, nil
}

// SigningName implements svc.Service.
func (*Service) SigningName() string { return "sns" }

// Protocol implements svc.Service.
func (*Service) Protocol() awsproto.Protocol { return awsproto.Query }

var operations = map[string]bool{"CreateTopic": true, "DeleteTopic": true, "ListTopics": true, "Publish": true,
	"Subscribe": true, "ListSubscriptions": true, "ListSubscriptionsByTopic": true}

// Operation implements svc.Service: the Action of the form body.
func (*Service) Operation(r *http.Request, body []byte) (string, *awsproto.Error) {
	form, err := awsproto.QueryForm(r, body)
	if err != nil {
		return "", err
	}
	action, version := form.Get("Action"), form.Get("Version")
	if !operations[action] || (version != "" && version != APIVersion) {
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
	var out any
	switch c.Op {
	case "CreateTopic":
		out, aerr = s.createTopic(c, form)
	case "DeleteTopic":
		out, aerr = s.deleteTopic(c, form)
	case "ListTopics":
		out, aerr = s.listTopics(c)
	case "Publish":
		out, aerr = s.publish(c, form)
	case "Subscribe":
		out, aerr = s.subscribe(c, form)
	case "ListSubscriptions", "ListSubscriptionsByTopic":
		out, aerr = s.listSubscriptions(c, form)
	default:
		aerr = awsproto.Errorf("InvalidAction", "Could not find operation %s for version %s", c.Op, APIVersion)
	}
	if aerr != nil {
		awsproto.WriteError(w, awsproto.Query, c.RequestID, aerr)
		return
	}
	awsproto.WriteQuery(w, c.RequestID, out)
}

// Quotas are SNS's request quotas byok meets: Publish is 30,000 per second
// in us-east-1 and less elsewhere; the sandbox uses the smallest Region's
// (300 per second); the control plane is 30 per second (CreateTopic etc.).
func Quotas() []faults.Quota {
	return []faults.Quota{
		{Name: "sns-publish", Ops: []string{"Publish"}, PerSecond: 300},
		{Name: "sns-control", Ops: []string{"CreateTopic", "DeleteTopic", "ListTopics", "Subscribe", "ListSubscriptions", "ListSubscriptionsByTopic"}, PerSecond: 30},
	}
}

// ThrottleError is SNS's throttling error.
func ThrottleError() *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}
}

// NewService is New for callers that register it in one expression (it
// cannot fail).
func NewService(env *svc.Env) *Service {
	s, _ := New(env)
	return s
}
