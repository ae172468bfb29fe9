package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/byok-dev/byok/internal/awslimits"
)

// ErrBadEvent is a CloudTrail event that does not parse.
var ErrBadEvent = errors.New("malformed CloudTrail event")

// Switches returns when the table tableARN switched to a KMS key since the
// start of the switch window before (the table's creation-anchored
// 24-hour window and the six quiet hours reach at most 48 h back), from
// CloudTrail UpdateTable events of its account.
func Switches(ctx context.Context, c Trail, tableARN string, created, now time.Time) ([]time.Time, error) {
	start := now.Add(-2 * awslimits.SSESwitchWindow)
	if created.After(start) {
		start = created
	}
	in := &cloudtrail.LookupEventsInput{StartTime: aws.Time(start), LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String(tableARN)}}}
	var out []time.Time
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("CloudTrail LookupEvents: %w", err)
		}
		for _, e := range page.Events {
			if aws.ToString(e.EventName) != "UpdateTable" {
				continue
			}
			at, ok, err := ParseSwitchEvent(aws.ToString(e.CloudTrailEvent))
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, at)
			}
		}
	}
	return out, nil
}

// switchEvent is the part of a DynamoDB UpdateTable CloudTrail record
// that says whether it switched the table to a KMS key.
type switchEvent struct {
	EventTime         time.Time `json:"eventTime"`
	EventSource       string    `json:"eventSource"`
	EventName         string    `json:"eventName"`
	ErrorCode         string    `json:"errorCode"`
	RequestParameters struct {
		SSESpecification *struct {
			Enabled *bool `json:"enabled"`
		} `json:"sSESpecification"`
	} `json:"requestParameters"`
}

// ParseSwitchEvent reads one CloudTrail record (the LookupEvents
// CloudTrailEvent JSON): ok when it is a successful DynamoDB UpdateTable
// that enabled SSE with a KMS key (a switch to the AWS owned key does not
// count against the limit).
func ParseSwitchEvent(raw string) (at time.Time, ok bool, err error) {
	var e switchEvent
	dec := json.NewDecoder(strings.NewReader(raw))
	if err := dec.Decode(&e); err != nil {
		return time.Time{}, false, fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	if e.EventTime.IsZero() {
		return time.Time{}, false, fmt.Errorf("%w: no eventTime", ErrBadEvent)
	}
	sse := e.RequestParameters.SSESpecification
	if e.EventSource != "dynamodb.amazonaws.com" || e.EventName != "UpdateTable" || e.ErrorCode != "" ||
		sse == nil || sse.Enabled == nil || !*sse.Enabled {
		return e.EventTime, false, nil
	}
	return e.EventTime, true, nil
}
