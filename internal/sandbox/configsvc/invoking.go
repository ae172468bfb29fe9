package configsvc

import (
	"encoding/json"
	"strconv"
	"time"
)

// eventItem is a configuration item inside an invoking event: unlike the
// API, the event spells "ARN" and "awsAccountId", carries configuration as
// an object, and version "configurationItemVersion". Supplementary values
// are JSON values too (S3's ServerSideEncryptionConfiguration an object,
// IsRequesterPaysEnabled a boolean), where GetResourceConfigHistory and
// BatchGetResourceConfig return each as a JSON string.
type eventItem struct {
	RelatedEvents                []string                   `json:"relatedEvents"`
	Relationships                []any                      `json:"relationships"`
	Configuration                json.RawMessage            `json:"configuration"`
	SupplementaryConfiguration   map[string]json.RawMessage `json:"supplementaryConfiguration"`
	Tags                         map[string]string          `json:"tags"`
	ConfigurationItemVersion     string                     `json:"configurationItemVersion"`
	ConfigurationItemCaptureTime string                     `json:"configurationItemCaptureTime"`
	ConfigurationStateID         int64                      `json:"configurationStateId"`
	AWSAccountID                 string                     `json:"awsAccountId"`
	ConfigurationItemStatus      string                     `json:"configurationItemStatus"`
	ResourceType                 string                     `json:"resourceType"`
	ResourceID                   string                     `json:"resourceId"`
	ResourceName                 string                     `json:"resourceName"`
	ARN                          string                     `json:"ARN"`
	AWSRegion                    string                     `json:"awsRegion"`
	AvailabilityZone             string                     `json:"availabilityZone"`
	ConfigurationStateMD5Hash    string                     `json:"configurationStateMd5Hash"`
	ResourceCreationTime         *string                    `json:"resourceCreationTime"`
}

// summary is the configurationItemSummary of an oversized notification:
// no configuration, which the rule must fetch with GetResourceConfigHistory.
type summary struct {
	ChangeType                   string  `json:"changeType"`
	ConfigurationItemVersion     string  `json:"configurationItemVersion"`
	ConfigurationItemCaptureTime string  `json:"configurationItemCaptureTime"`
	ConfigurationStateID         int64   `json:"configurationStateId"`
	AWSAccountID                 string  `json:"awsAccountId"`
	ConfigurationItemStatus      string  `json:"configurationItemStatus"`
	ResourceType                 string  `json:"resourceType"`
	ResourceID                   string  `json:"resourceId"`
	ResourceName                 string  `json:"resourceName"`
	ARN                          string  `json:"ARN"`
	AWSRegion                    string  `json:"awsRegion"`
	AvailabilityZone             string  `json:"availabilityZone"`
	ConfigurationStateMD5Hash    string  `json:"configurationStateMd5Hash"`
	ResourceCreationTime         *string `json:"resourceCreationTime"`
}

func creation(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := eventTime(t)
	return &s
}

func changeType(status string) string {
	switch status {
	case StatusDiscovered:
		return "CREATE"
	case StatusDeleted:
		return "DELETE"
	}
	return "UPDATE"
}

// invoking renders the invokingEvent JSON string for one record.
func invoking(messageType string, r Record, now time.Time) string {
	it := r.Item
	var body map[string]any
	if messageType == "oversized" {
		body = map[string]any{"configurationItemSummary": summary{ChangeType: changeType(r.Status),
			ConfigurationItemVersion: "1.3", ConfigurationItemCaptureTime: eventTime(r.Capture), ConfigurationStateID: r.StateID,
			AWSAccountID: it.Account, ConfigurationItemStatus: r.Status, ResourceType: it.ResourceType, ResourceID: it.ResourceID,
			ResourceName: it.ResourceName, ARN: it.ARN, AWSRegion: it.Region, AvailabilityZone: it.AvailabilityZone,
			ConfigurationStateMD5Hash: "", ResourceCreationTime: creation(it.CreatedAt)},
			"s3DeliverySummary": map[string]any{"s3BucketLocation": "config-bucket-" + it.Account + "/AWSLogs/" + it.Account +
				"/Config/" + it.Region + "/OversizedChangeNotification/" + strconv.FormatInt(r.StateID, 10) + ".json.gz"},
			"notificationCreationTime": eventTime(now), "messageType": MessageOversized, "recordVersion": "1.0"}
	} else {
		cfg := it.Configuration
		if len(cfg) == 0 {
			cfg = json.RawMessage("null")
		}
		sup := eventSupplementary(it.Supplementary)
		body = map[string]any{"configurationItemDiff": nil, "configurationItem": eventItem{RelatedEvents: []string{},
			Relationships: []any{}, Configuration: cfg, SupplementaryConfiguration: sup, Tags: nonNil(it.Tags),
			ConfigurationItemVersion: "1.3", ConfigurationItemCaptureTime: eventTime(r.Capture), ConfigurationStateID: r.StateID,
			AWSAccountID: it.Account, ConfigurationItemStatus: r.Status, ResourceType: it.ResourceType, ResourceID: it.ResourceID,
			ResourceName: it.ResourceName, ARN: it.ARN, AWSRegion: it.Region, AvailabilityZone: it.AvailabilityZone,
			ResourceCreationTime: creation(it.CreatedAt)},
			"notificationCreationTime": eventTime(now), "messageType": MessageChange, "recordVersion": "1.3"}
	}
	b, _ := json.Marshal(body)
	return string(b)
}

// ChangeNotification renders the invokingEvent of a
// ConfigurationItemChangeNotification for it, captured at capture with
// status (StatusOK, StatusDiscovered), exactly as the sandbox's event
// generator does: tests that build events for real resources use it
// rather than a second rendering.
func ChangeNotification(it Item, status string, capture, now time.Time) string {
	return invoking("change", Record{Item: it, Status: status, Capture: capture, StateID: capture.UnixMilli()}, now)
}

// eventSupplementary renders the recorded supplementary values (JSON text)
// as the JSON values a change notification carries; a value that is not
// JSON stays a string.
func eventSupplementary(m map[string]string) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		if json.Valid([]byte(v)) {
			out[k] = json.RawMessage(v)
			continue
		}
		b, _ := json.Marshal(v)
		out[k] = b
	}
	return out
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
