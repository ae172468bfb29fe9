package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// EventBridge's envelope of a CloudTrail management event: the
// CloudTrail record is its detail, unchanged (eventID, eventTime,
// errorCode, resources[].ARN, requestParameters, …).
const (
	bridgeSource     = "aws.kms"
	bridgeDetailType = "AWS API Call via CloudTrail"
)

// ErrBridgeMessage classes a log message that is not an EventBridge event
// carrying a CloudTrail record of a KMS call.
var ErrBridgeMessage = errors.New("not an EventBridge CloudTrail KMS event")

// BridgeMessageError says what is wrong with a message (never its text:
// a message may hold request parameters).
type BridgeMessageError struct{ Reason string }

func (e *BridgeMessageError) Error() string { return ErrBridgeMessage.Error() + ": " + e.Reason }

func (e *BridgeMessageError) Unwrap() error { return ErrBridgeMessage }

// bridgeEvent is a parsed message: the CloudTrail record and what the
// watcher indexes it by.
type bridgeEvent struct {
	id        string
	at        time.Time // zero when neither eventTime nor time was readable
	resources []string
	rec       record
}

// event is b as a source event, timed by the log event's timestamp when
// the message had no readable time.
func (b bridgeEvent) event(logTime time.Time) event {
	at := b.at
	if at.IsZero() {
		at = logTime
	}
	return event{id: b.id, at: at, resources: b.resources, rec: b.rec, ok: true}
}

type bridgeEnvelope struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Time       string          `json:"time"`
	Detail     json.RawMessage `json:"detail"`
}

// detailExtra is what the watch reads of the record beyond record.
type detailExtra struct {
	EventID   string `json:"eventID"`
	EventTime string `json:"eventTime"`
	Resources []struct {
		ARN string `json:"ARN"`
	} `json:"resources"`
}

// parseBridgeEvent reads one log message the deploy/ rule wrote.
func parseBridgeEvent(msg []byte) (bridgeEvent, error) {
	var env bridgeEnvelope
	if err := json.Unmarshal(msg, &env); err != nil {
		return bridgeEvent{}, &BridgeMessageError{Reason: "not a JSON object"}
	}
	if env.Source != bridgeSource || env.DetailType != bridgeDetailType {
		return bridgeEvent{}, &BridgeMessageError{Reason: fmt.Sprintf("source %.40q, detail-type %.60q", env.Source, env.DetailType)}
	}
	var b bridgeEvent
	var extra detailExtra
	if json.Unmarshal(env.Detail, &b.rec) != nil || json.Unmarshal(env.Detail, &extra) != nil || len(env.Detail) == 0 || env.Detail[0] != '{' {
		return bridgeEvent{}, &BridgeMessageError{Reason: "detail is not a CloudTrail record"}
	}
	if extra.EventID == "" {
		return bridgeEvent{}, &BridgeMessageError{Reason: "detail has no eventID"}
	}
	b.id = extra.EventID
	for _, s := range []string{extra.EventTime, env.Time} {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			b.at = t
			break
		}
	}
	for _, r := range extra.Resources {
		if r.ARN != "" {
			b.resources = append(b.resources, r.ARN)
		}
	}
	return b, nil
}
