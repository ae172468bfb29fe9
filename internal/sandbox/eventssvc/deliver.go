package eventssvc

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/ctsvc"
	"github.com/byok-dev/byok/internal/sandbox/eventpattern"
	"github.com/byok-dev/byok/internal/sandbox/logssvc"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

// DetailTypeAPICall is the detail-type of CloudTrail management events.
const DetailTypeAPICall = "AWS API Call via CloudTrail"

// servicePrincipal is who writes into targets on a rule's behalf.
const servicePrincipal = "events.amazonaws.com"

// envelope is an event as EventBridge routes it.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// onTrailEvent routes a recorded CloudTrail event to the rules of every
// account it is recorded in.
func (s *Service) onTrailEvent(e trail.Event) {
	if s.enabled.Load() == 0 || e.EventType != "AwsApiCall" {
		return
	}
	for _, account := range e.Accounts {
		s.route(e, account)
	}
}

// candidates lists the enabled rules of account and e's Region that may
// see e: read-only events reach only rules that asked for all management
// events.
func (s *Service) candidates(account string, e trail.Event) []*rule {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*rule
	for _, r := range s.rules[scope{account, e.AWSRegion}] {
		if r.State == StateAllMgmt || (r.State == StateEnabled && !e.ReadOnly) {
			out = append(out, r)
		}
	}
	return out
}

func (s *Service) route(e trail.Event, account string) {
	rules := s.candidates(account, e)
	if len(rules) == 0 {
		return
	}
	raw, decoded, err := wrap(e, account)
	if err != nil {
		s.env.Logger.Error("eventbridge: wrap cloudtrail event", "error", err.Error())
		return
	}
	for _, r := range rules {
		if !r.parsed.MatchValue(decoded) {
			continue
		}
		r.m.matched.Add(1)
		for _, t := range r.Targets {
			s.invoke(r, t, decoded["id"].(string), raw, e.EventTime)
		}
	}
}

// wrap builds the EventBridge event of e as seen in account: the
// CloudTrail record as detail, with that account as recipientAccountId.
func wrap(e trail.Event, account string) ([]byte, map[string]any, error) {
	var detail map[string]any
	if err := json.Unmarshal([]byte(ctsvc.RecordJSON(e)), &detail); err != nil {
		return nil, nil, err
	}
	detail["recipientAccountId"] = account
	d, err := json.Marshal(detail)
	if err != nil {
		return nil, nil, err
	}
	env := envelope{Version: "0", ID: awsproto.NewRequestID(), DetailType: DetailTypeAPICall,
		Source: "aws." + strings.TrimSuffix(e.EventSource, ".amazonaws.com"), Account: account,
		Time: e.EventTime.UTC().Format(time.RFC3339), Region: e.AWSRegion, Resources: []string{}, Detail: d}
	raw, err := json.Marshal(env)
	if err != nil {
		return nil, nil, err
	}
	decoded, err := eventpattern.DecodeEvent(raw)
	return raw, decoded, err
}

// errUnsupportedTarget: the sandbox delivers to CloudWatch Logs only.
var errUnsupportedTarget = errors.New("target service not hosted by the sandbox")

// invoke delivers one matched event to one target; a failure is counted,
// never returned, as EventBridge reports it only in metrics.
func (s *Service) invoke(r *rule, t target, id string, raw []byte, at time.Time) {
	r.m.invocations.Add(1)
	err := s.deliver(r, t, id, raw, at)
	if err != nil {
		r.m.failed.Add(1)
		s.env.Logger.Debug("eventbridge: failed invocation", "rule", r.Name, "target", t.ID, "error", err.Error())
	}
}

func (s *Service) deliver(r *rule, t target, id string, raw []byte, at time.Time) error {
	account, region, group, ok := logGroupTarget(t.Arn)
	if !ok || s.logs == nil {
		return errUnsupportedTarget
	}
	if account != r.Account || region != r.Region {
		return logssvc.ErrNoGroup // a log group target must be in the rule's account and Region
	}
	return s.logs.Deliver(logssvc.Delivery{Account: account, Region: region, GroupName: group,
		StreamName: id, Principal: servicePrincipal, SourceARN: r.arn(s.env.Partition),
		Timestamp: at, Message: string(raw)}, s.env.Clock.Now())
}

// logGroupTarget splits arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME[:*].
func logGroupTarget(arn string) (account, region, group string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[2] != "logs" || parts[5] != "log-group" {
		return "", "", "", false
	}
	return parts[4], parts[3], strings.TrimSuffix(parts[6], ":*"), true
}
