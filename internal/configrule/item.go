package configrule

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/byok-dev/byok/internal/compliance"
)

// Config item statuses that mean the resource is gone or no longer recorded.
const (
	statusDeleted            = "ResourceDeleted"
	statusDeletedNotRecorded = "ResourceDeletedNotRecorded"
	statusNotRecorded        = "ResourceNotRecorded"
)

// ConfigItem is a configuration item as AWS Config records it, whether it
// arrives in an event (configuration is an object) or from the API
// (configuration and supplementary values are JSON strings).
type ConfigItem struct {
	ResourceType string    `json:"resourceType"`
	ResourceID   string    `json:"resourceId"`
	ResourceName string    `json:"resourceName"`
	ARN          string    `json:"ARN"`
	Account      string    `json:"awsAccountId"`
	Region       string    `json:"awsRegion"`
	Status       string    `json:"configurationItemStatus"`
	CaptureTime  time.Time `json:"configurationItemCaptureTime"`
	// Configuration and Supplementary are kept raw: their shape depends on
	// the resource type and they may be JSON strings to decode again.
	Configuration json.RawMessage `json:"configuration"`
	Supplementary json.RawMessage `json:"supplementaryConfiguration"`
}

// Gone reports whether the item says the resource is deleted or no longer
// recorded: such resources are NOT_APPLICABLE.
func (it *ConfigItem) Gone() bool {
	switch it.Status {
	case statusDeleted, statusDeletedNotRecorded, statusNotRecorded:
		return true
	}
	return false
}

// Ref names the item's resource.
func (it *ConfigItem) Ref() ResourceRef {
	return ResourceRef{Type: compliance.ResourceType(it.ResourceType), ID: it.ResourceID}
}

// ItemFromAPI converts an item returned by GetResourceConfigHistory.
func ItemFromAPI(ci types.ConfigurationItem) ConfigItem {
	return ConfigItem{
		ResourceType: string(ci.ResourceType), ResourceID: deref(ci.ResourceId), ResourceName: deref(ci.ResourceName),
		ARN: deref(ci.Arn), Account: deref(ci.AccountId), Region: deref(ci.AwsRegion),
		Status: string(ci.ConfigurationItemStatus), CaptureTime: derefTime(ci.ConfigurationItemCaptureTime),
		Configuration: rawOrString(ci.Configuration), Supplementary: supplementary(ci.SupplementaryConfiguration),
	}
}

// ItemFromBase converts an item returned by BatchGetResourceConfig.
func ItemFromBase(ci types.BaseConfigurationItem) ConfigItem {
	return ConfigItem{
		ResourceType: string(ci.ResourceType), ResourceID: deref(ci.ResourceId), ResourceName: deref(ci.ResourceName),
		ARN: deref(ci.Arn), Account: deref(ci.AccountId), Region: deref(ci.AwsRegion),
		Status: string(ci.ConfigurationItemStatus), CaptureTime: derefTime(ci.ConfigurationItemCaptureTime),
		Configuration: rawOrString(ci.Configuration), Supplementary: supplementary(ci.SupplementaryConfiguration),
	}
}

// rawOrString keeps the API's configuration text as JSON when it is JSON,
// else as a JSON string (decoded again later, or rejected then).
func rawOrString(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	if json.Valid([]byte(*s)) {
		return json.RawMessage(*s)
	}
	b, _ := json.Marshal(*s)
	return b
}

// supplementary renders the API's map of JSON strings as an object whose
// values are strings; decodeAgain unwraps them.
func supplementary(m map[string]string) json.RawMessage {
	if len(m) == 0 {
		return nil
	}
	b, _ := json.Marshal(m)
	return b
}

// decodeAgain decodes raw into v; when raw is a JSON string holding a JSON
// document (as Config sends supplementary values), it decodes that.
func decodeAgain(raw json.RawMessage, v any) error {
	raw = bytes.TrimSpace(raw)
	for i := 0; i < 2 && len(raw) > 0 && raw[0] == '"'; i++ {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		raw = bytes.TrimSpace([]byte(s))
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, v)
}

// lookupFold returns the member of a JSON object whose name equals key
// case-insensitively. The object itself may be a JSON string.
func lookupFold(obj json.RawMessage, key string) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := decodeAgain(obj, &m); err != nil {
		return nil, err
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, nil
		}
	}
	return nil, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
