package ctsvc

import (
	"math"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
)

// Limits of LookupEvents (API reference).
const (
	maxResultsLimit = 50
	retention       = 90 * 24 * time.Hour
	maxValueLen     = 2000
)

// attributeKeys are the LookupAttribute keys CloudTrail accepts.
var attributeKeys = map[string]bool{
	"EventId": true, "EventName": true, "ReadOnly": true, "Username": true, "ResourceType": true,
	"ResourceName": true, "EventSource": true, "AccessKeyId": true,
}

type lookupAttribute struct {
	AttributeKey   *string `json:"AttributeKey"`
	AttributeValue *string `json:"AttributeValue"`
}

type lookupRequest struct {
	LookupAttributes []lookupAttribute `json:"LookupAttributes"`
	StartTime        *float64          `json:"StartTime"`
	EndTime          *float64          `json:"EndTime"`
	EventCategory    *string           `json:"EventCategory"`
	MaxResults       *float64          `json:"MaxResults"`
	NextToken        *string           `json:"NextToken"`
}

// query is a validated LookupEvents request.
type query struct {
	Key, Value string // empty Key: no attribute filter
	Start, End time.Time
	Max        int
	Insight    bool
}

func parseLookup(body []byte, now time.Time) (query, *awsproto.Error) {
	var req lookupRequest
	if err := awsproto.DecodeJSON(body, &req); err != nil {
		return query{}, err
	}
	q := query{Start: now.Add(-retention), End: now, Max: maxResultsLimit,
		Insight: req.EventCategory != nil && *req.EventCategory == "insight"}
	if err := q.attribute(req.LookupAttributes); err != nil {
		return q, err
	}
	if err := q.timeRange(req.StartTime, req.EndTime); err != nil {
		return q, err
	}
	if req.MaxResults != nil {
		m := *req.MaxResults
		if m != math.Trunc(m) || m < 1 || m > maxResultsLimit {
			return q, awsproto.Errorf("InvalidMaxResultsException", "MaxResults must be an integer from 1 to %d, got %v", maxResultsLimit, m)
		}
		q.Max = int(m)
	}
	if req.EventCategory != nil && *req.EventCategory != "insight" {
		return q, awsproto.Errorf("InvalidEventCategoryException", "EventCategory must be insight (or omitted for management events), got %q", *req.EventCategory)
	}
	return q, nil
}

func (q *query) attribute(attrs []lookupAttribute) *awsproto.Error {
	switch {
	case len(attrs) == 0:
		return nil
	case len(attrs) > 1:
		return awsproto.Errorf("InvalidLookupAttributesException", "You can specify only one lookup attribute; %d were given", len(attrs))
	}
	a := attrs[0]
	if a.AttributeKey == nil || !attributeKeys[*a.AttributeKey] {
		return awsproto.Errorf("InvalidLookupAttributesException",
			"AttributeKey must be one of EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId")
	}
	if a.AttributeValue == nil || len(*a.AttributeValue) < 1 || len(*a.AttributeValue) > maxValueLen {
		return awsproto.Errorf("InvalidLookupAttributesException", "AttributeValue for %s must be 1 to %d characters", *a.AttributeKey, maxValueLen)
	}
	if *a.AttributeKey == "ReadOnly" && *a.AttributeValue != "true" && *a.AttributeValue != "false" {
		return awsproto.Errorf("InvalidLookupAttributesException", "AttributeValue for ReadOnly must be true or false")
	}
	q.Key, q.Value = *a.AttributeKey, *a.AttributeValue
	return nil
}

func (q *query) timeRange(start, end *float64) *awsproto.Error {
	if start != nil {
		t, ok := epoch(*start)
		if !ok {
			return awsproto.Errorf("InvalidTimeRangeException", "StartTime is outside the range of possible values")
		}
		q.Start = maxTime(q.Start, t)
	}
	if end != nil {
		t, ok := epoch(*end)
		if !ok {
			return awsproto.Errorf("InvalidTimeRangeException", "EndTime is outside the range of possible values")
		}
		q.End = t
	}
	if start != nil && end != nil && *start > *end {
		return awsproto.Errorf("InvalidTimeRangeException", "StartTime must not be after EndTime")
	}
	return nil
}

// epoch converts JSON epoch seconds, refusing values time cannot hold.
func epoch(sec float64) (time.Time, bool) {
	if math.IsNaN(sec) || sec < 0 || sec > 253402300799 { // 9999-12-31
		return time.Time{}, false
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC(), true
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
