package configrule

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// MessageType is the invokingEvent messageType. The zero value is invalid.
type MessageType int

// Message types a Config custom rule receives.
const (
	MessageUnknown MessageType = iota
	// MessageChange carries the configuration item in the event.
	MessageChange
	// MessageOversized carries only a summary; the item is fetched with
	// GetResourceConfigHistory.
	MessageOversized
	// MessageScheduled is the periodic trigger; it names no resource.
	MessageScheduled
)

var messageTypes = map[string]MessageType{
	"ConfigurationItemChangeNotification":          MessageChange,
	"OversizedConfigurationItemChangeNotification": MessageOversized,
	"ScheduledNotification":                        MessageScheduled,
}

func (m MessageType) String() string {
	for name, v := range messageTypes {
		if v == m {
			return name
		}
	}
	return "Unknown"
}

// Event is a decoded Config rule invocation.
type Event struct {
	Type MessageType
	// Account is the member account evaluated (awsAccountId of the
	// invoking event, else the event's accountId).
	Account          string
	RuleName         string
	ResultToken      string
	ExecutionRoleARN string
	// LeftScope is eventLeftScope: the resource left the rule's scope.
	LeftScope bool
	// NotificationTime is notificationCreationTime: the OrderingTimestamp
	// of periodic evaluations.
	NotificationTime time.Time
	// Item is the configuration item (change) or the item summary
	// (oversized, whose Configuration is empty until fetched).
	Item   *ConfigItem
	Params Params
}

// invokingEvent is the JSON string in ConfigEvent.InvokingEvent. Field names
// match case-insensitively (encoding/json), as Config's casing varies.
type invokingEvent struct {
	MessageType       string      `json:"messageType"`
	AccountID         string      `json:"awsAccountId"`
	NotificationTime  string      `json:"notificationCreationTime"`
	ConfigurationItem *ConfigItem `json:"configurationItem"`
	ItemSummary       *ConfigItem `json:"configurationItemSummary"`
}

// DecodeEvent decodes a Config rule Lambda event: invokingEvent and
// ruleParameters are JSON documents carried as strings.
func DecodeEvent(ev events.ConfigEvent) (Event, error) {
	var inv invokingEvent
	if err := json.Unmarshal([]byte(ev.InvokingEvent), &inv); err != nil {
		return Event{}, fieldErr(ErrEvent, "invokingEvent", "pass the event AWS Config sent, unchanged", "not a JSON object: %v", err)
	}
	out := Event{
		Account: firstNonEmpty(inv.AccountID, ev.AccountID), RuleName: ev.ConfigRuleName,
		ResultToken: ev.ResultToken, ExecutionRoleARN: ev.ExecutionRoleArn, LeftScope: ev.EventLeftScope,
	}
	var ok bool
	if out.Type, ok = messageTypes[inv.MessageType]; !ok {
		return Event{}, fieldErr(ErrEvent, "invokingEvent.messageType", "the rule handles change, oversized and scheduled notifications", "unsupported message type %q", inv.MessageType)
	}
	if err := out.decodeCommon(ev, inv); err != nil {
		return Event{}, err
	}
	switch out.Type {
	case MessageChange:
		out.Item = inv.ConfigurationItem
	case MessageOversized:
		out.Item = inv.ItemSummary
	}
	if out.Type != MessageScheduled {
		if err := checkItemRef(out.Item, out.Type); err != nil {
			return Event{}, err
		}
	}
	return out, nil
}

func (out *Event) decodeCommon(ev events.ConfigEvent, inv invokingEvent) error {
	if ev.ResultToken == "" {
		return fieldErr(ErrEvent, "resultToken", "AWS Config always sets it; test events need one too", "empty")
	}
	if ev.ConfigRuleName == "" {
		return fieldErr(ErrEvent, "configRuleName", "", "empty")
	}
	if inv.NotificationTime != "" {
		t, err := time.Parse(time.RFC3339Nano, inv.NotificationTime)
		if err != nil {
			return fieldErr(ErrEvent, "invokingEvent.notificationCreationTime", "use RFC 3339, e.g. 2026-01-02T03:04:05.678Z", "%v", err)
		}
		out.NotificationTime = t
	}
	if out.Type == MessageScheduled && out.NotificationTime.IsZero() {
		return fieldErr(ErrEvent, "invokingEvent.notificationCreationTime", "scheduled notifications carry it", "missing")
	}
	p, err := ParseParams(ev.RuleParameters)
	out.Params = p
	return err
}

func checkItemRef(it *ConfigItem, t MessageType) error {
	field := "invokingEvent.configurationItem"
	if t == MessageOversized {
		field = "invokingEvent.configurationItemSummary"
	}
	switch {
	case it == nil:
		return fieldErr(ErrEvent, field, "", "missing for %s", t)
	case it.ResourceType == "" || it.ResourceID == "":
		return fieldErr(ErrEvent, field, "", "resourceType and resourceId are required")
	case it.CaptureTime.IsZero():
		return fieldErr(ErrEvent, field+".configurationItemCaptureTime", "", "missing")
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
