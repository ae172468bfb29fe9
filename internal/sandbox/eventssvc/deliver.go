package eventssvc

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/ctsvc"
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
		if r.Since > e.EventTime.UnixMilli() {
			continue // the rule (or its targets) did not exist yet in this form
		}
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
	ev := wrap(e, account)
	if ev == nil {
		s.env.Logger.Error("eventbridge: cloudtrail event cannot be encoded", "event_id", e.EventID)
		return
	}
	var raw []byte
	for _, r := range rules {
		if !r.parsed.MatchValue(ev) {
			continue
		}
		r.m.matched.Add(1)
		if raw == nil {
			raw = encode(ev)
		}
		for _, t := range r.Targets {
			s.invoke(r, t, ev["id"].(string), raw, e.EventTime)
		}
	}
}

// wrap builds the EventBridge event of e as seen in account, decoded for
// matching: the CloudTrail record as detail, with that account as
// recipientAccountId. It is encoded only when a rule matches.
func wrap(e trail.Event, account string) map[string]any {
	detail := ctsvc.RecordMap(e)
	if detail == nil {
		return nil
	}
	detail["recipientAccountId"] = account
	return map[string]any{"version": "0", "id": eventID(e.EventID, account), "detail-type": DetailTypeAPICall,
		"source": "aws." + strings.TrimSuffix(e.EventSource, ".amazonaws.com"), "account": account,
		"time": e.EventTime.UTC().Format(time.RFC3339), "region": e.AWSRegion, "resources": []any{}, "detail": detail}
}

// eventID derives the EventBridge event ID from the CloudTrail event ID and
// the account it is delivered in, UUID-shaped: the same delivery always
// has the same ID (and log stream), so a replay after a crash is
// recognised.
func eventID(trailID, account string) string {
	sum := sha256.Sum256([]byte(trailID + "/" + account))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// encode renders ev with the envelope's fields in EventBridge's order.
func encode(ev map[string]any) []byte {
	d, _ := json.Marshal(ev["detail"])
	raw, _ := json.Marshal(envelope{Version: "0", ID: ev["id"].(string), DetailType: DetailTypeAPICall,
		Source: ev["source"].(string), Account: ev["account"].(string), Time: ev["time"].(string),
		Region: ev["region"].(string), Resources: []string{}, Detail: d})
	return raw
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
