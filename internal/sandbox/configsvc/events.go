package configsvc

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Message types of a custom rule's invoking event.
const (
	MessageChange    = "ConfigurationItemChangeNotification"
	MessageOversized = "OversizedConfigurationItemChangeNotification"
	MessageScheduled = "ScheduledNotification"
)

// ErrEventRequest is wrapped by every EventRequest validation error.
var ErrEventRequest = errors.New("config event request")

// rule is a custom rule known to the sandbox (created by the first event
// request that names it).
type rule struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Name    string `json:"name"`
	ID      string `json:"id"`
	ARN     string `json:"arn"`
}

func ruleKey(account, region, name string) string { return account + "/" + region + "/" + name }

// resultToken binds PutEvaluations to the rule, account and Region of the
// event it was issued with.
type resultToken struct {
	Token   string    `json:"token"`
	Account string    `json:"account"`
	Region  string    `json:"region"`
	Rule    string    `json:"rule"`
	Issued  time.Time `json:"issued"`
}

// EventRequest asks for the events Config would send a custom rule.
// MessageType is "change", "oversized" or "scheduled". For change and
// oversized, ResourceType/ResourceID narrow the resources (all recorded
// resources of the four types otherwise; deleted ones only when named or
// IncludeDeleted). RuleParameters are passed as the rule's JSON string.
type EventRequest struct {
	Account          string            `json:"account"`
	Region           string            `json:"region"`
	RuleName         string            `json:"ruleName"`
	MessageType      string            `json:"messageType"`
	ResourceType     string            `json:"resourceType,omitempty"`
	ResourceID       string            `json:"resourceId,omitempty"`
	IncludeDeleted   bool              `json:"includeDeleted,omitempty"`
	EventLeftScope   bool              `json:"eventLeftScope,omitempty"`
	RuleParameters   map[string]string `json:"ruleParameters,omitempty"`
	ExecutionRoleArn string            `json:"executionRoleArn,omitempty"`
}

func (r *EventRequest) validate() error {
	switch {
	case len(r.Account) != 12:
		return fmt.Errorf("%w: account must be a 12-digit account ID, got %q", ErrEventRequest, r.Account)
	case r.Region == "":
		return fmt.Errorf("%w: region is required", ErrEventRequest)
	case r.RuleName == "" || len(r.RuleName) > 128:
		return fmt.Errorf("%w: ruleName must be 1–128 characters", ErrEventRequest)
	case r.MessageType != "change" && r.MessageType != "oversized" && r.MessageType != "scheduled":
		return fmt.Errorf("%w: messageType must be change, oversized or scheduled, got %q", ErrEventRequest, r.MessageType)
	case r.ResourceType != "" && checkType(r.ResourceType) != nil:
		return fmt.Errorf("%w: unknown resourceType %q (e.g. %s)", ErrEventRequest, r.ResourceType, TypeBucket)
	case r.ResourceID != "" && r.ResourceType == "":
		return fmt.Errorf("%w: resourceId needs resourceType", ErrEventRequest)
	}
	return nil
}

// Events returns the Lambda events Config would send the rule, each with a
// fresh result token bound to the rule, account and Region.
func (s *Service) Events(req EventRequest) ([]events.ConfigEvent, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.sync(req.Account, req.Region, now); err != nil {
		return nil, fmt.Errorf("record configuration: %w", err)
	}
	ru, err := s.ensureRule(req)
	if err != nil {
		return nil, err
	}
	if req.MessageType == "scheduled" {
		inv, _ := json.Marshal(map[string]string{"awsAccountId": req.Account, "notificationCreationTime": eventTime(now),
			"messageType": MessageScheduled, "recordVersion": "1.0"})
		ev, err := s.event(req, ru, string(inv), now)
		return []events.ConfigEvent{ev}, err
	}
	var out []events.ConfigEvent
	for _, rec := range s.selected(req) {
		inv := invoking(req.MessageType, rec, now)
		ev, err := s.event(req, ru, inv, now)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	if len(out) == 0 && req.ResourceID != "" {
		return nil, fmt.Errorf("%w: %s %s is not recorded in %s/%s", ErrEventRequest, req.ResourceType, req.ResourceID, req.Account, req.Region)
	}
	return out, nil
}

// selected lists the latest record of each resource the request covers.
func (s *Service) selected(req EventRequest) []Record {
	var out []Record
	for _, typ := range []string{TypeDBCluster, TypeDBInstance, TypeTable, TypeBucket} {
		if req.ResourceType != "" && req.ResourceType != typ {
			continue
		}
		for _, h := range s.sortedKeys(scope{req.Account, req.Region}, typ) {
			last := *h.last()
			named := req.ResourceID != "" && (h.ID == req.ResourceID || last.Item.ResourceName == req.ResourceID)
			if (req.ResourceID != "" && !named) || (last.Status == StatusDeleted && !named && !req.IncludeDeleted) {
				continue
			}
			out = append(out, last)
		}
	}
	return out
}

func (s *Service) ensureRule(req EventRequest) (*rule, error) {
	k := ruleKey(req.Account, req.Region, req.RuleName)
	if r := s.rules[k]; r != nil {
		return r, nil
	}
	id := "config-rule-" + randomHex(3)
	r := &rule{Account: req.Account, Region: req.Region, Name: req.RuleName, ID: id,
		ARN: "arn:" + s.env.Partition + ":config:" + req.Region + ":" + req.Account + ":config-rule/" + id}
	if err := s.env.State.Put(kindRule, k, r); err != nil {
		return nil, fmt.Errorf("persist rule: %w", err)
	}
	s.rules[k] = r
	return r, nil
}

func (s *Service) event(req EventRequest, ru *rule, invoking string, now time.Time) (events.ConfigEvent, error) {
	tok := resultToken{Token: newToken(), Account: req.Account, Region: req.Region, Rule: req.RuleName, Issued: now}
	if err := s.env.State.Put(kindToken, tok.Token, tok); err != nil {
		return events.ConfigEvent{}, fmt.Errorf("persist result token: %w", err)
	}
	s.tokens[tok.Token] = tok
	params := req.RuleParameters
	if params == nil {
		params = map[string]string{}
	}
	rp, _ := json.Marshal(params)
	role := req.ExecutionRoleArn
	if role == "" {
		role = "arn:" + s.env.Partition + ":iam::" + req.Account + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
	}
	return events.ConfigEvent{AccountID: req.Account, ConfigRuleArn: ru.ARN, ConfigRuleID: ru.ID,
		ConfigRuleName: ru.Name, EventLeftScope: req.EventLeftScope, ExecutionRoleArn: role,
		InvokingEvent: invoking, ResultToken: tok.Token, RuleParameters: string(rp), Version: "1.0"}, nil
}

func newToken() string {
	var b [96]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func eventTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
