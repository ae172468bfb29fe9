package ctsvc

import (
	"slices"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

type resourceOut struct {
	ResourceType string `json:"ResourceType,omitempty"`
	ResourceName string `json:"ResourceName,omitempty"`
}

type eventOut struct {
	EventID         string        `json:"EventId"`
	EventName       string        `json:"EventName"`
	ReadOnly        string        `json:"ReadOnly"`
	AccessKeyID     string        `json:"AccessKeyId,omitempty"`
	EventTime       float64       `json:"EventTime"`
	EventSource     string        `json:"EventSource"`
	Username        string        `json:"Username,omitempty"`
	Resources       []resourceOut `json:"Resources"`
	CloudTrailEvent string        `json:"CloudTrailEvent"`
}

type lookupResponse struct {
	Events    []eventOut `json:"Events"`
	NextToken string     `json:"NextToken,omitempty"`
}

func (s *Service) lookupEvents(c *svc.Call) (*lookupResponse, *awsproto.Error) {
	q, aerr := parseLookup(c.Body, c.Now)
	if aerr != nil {
		return nil, aerr
	}
	fp := fingerprint(c, q)
	var start string
	if tok, ok := requestToken(c.Body); ok {
		if start, aerr = decodeToken(tok, fp); aerr != nil {
			return nil, aerr
		}
	}
	out := &lookupResponse{Events: []eventOut{}}
	if q.Insight {
		return out, nil // the sandbox records no Insights events
	}
	events := s.matching(c.Caller.Account, c.Region, q)
	from := 0
	if start != "" {
		from = slices.IndexFunc(events, func(e trail.Event) bool { return e.EventID == start })
		if from < 0 {
			return nil, invalidToken()
		}
	}
	end := min(from+q.Max, len(events))
	for _, e := range events[from:end] {
		out.Events = append(out.Events, render(e))
	}
	if end < len(events) {
		out.NextToken = encodeToken(events[end].EventID, fp)
	}
	return out, nil
}

// matching returns the events visible to account in region that the query
// selects, newest first (events recorded under a moved-back clock are
// placed by their event time, not their arrival).
func (s *Service) matching(account, region string, q query) []trail.Event {
	var out []trail.Event
	s.env.Trail.Visible(account, region, func(e trail.Event) bool {
		if !e.EventTime.Before(q.Start) && !e.EventTime.After(q.End) && selects(e, q.Key, q.Value) {
			out = append(out, e)
		}
		return true
	})
	slices.SortStableFunc(out, func(a, b trail.Event) int { return b.EventTime.Compare(a.EventTime) })
	return out
}

func selects(e trail.Event, key, value string) bool {
	switch key {
	case "":
		return true
	case "EventId":
		return e.EventID == value
	case "EventName":
		return e.EventName == value
	case "EventSource":
		return e.EventSource == value
	case "ReadOnly":
		return strconv.FormatBool(e.ReadOnly) == value
	case "Username":
		return username(e.UserIdentity) == value
	case "AccessKeyId":
		return e.UserIdentity.AccessKeyID == value
	case "ResourceType":
		return slices.ContainsFunc(e.Resources, func(r trail.Resource) bool { return r.Type == value })
	case "ResourceName":
		return slices.ContainsFunc(e.Resources, func(r trail.Resource) bool {
			return r.ARN == value || resourceID(r.ARN) == value
		})
	}
	return false
}

// resourceID is the last component of an ARN: the key ID of a KMS key ARN.
func resourceID(arn string) string {
	if i := strings.LastIndexAny(arn, "/:"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// username is what event history shows as the user name: the IAM user's
// name, or the session name of an assumed role.
func username(u trail.UserIdentity) string {
	switch u.Type {
	case "Root":
		return "root"
	case "IAMUser", "AssumedRole":
		return resourceID(u.ARN)
	}
	return ""
}

func render(e trail.Event) eventOut {
	out := eventOut{EventID: e.EventID, EventName: e.EventName, ReadOnly: strconv.FormatBool(e.ReadOnly),
		AccessKeyID: e.UserIdentity.AccessKeyID, EventSource: e.EventSource, Username: username(e.UserIdentity),
		EventTime: float64(e.EventTime.UnixNano()) / 1e9, Resources: []resourceOut{}, CloudTrailEvent: record(e)}
	for _, r := range e.Resources {
		out.Resources = append(out.Resources, resourceOut{ResourceType: r.Type, ResourceName: r.ARN})
	}
	return out
}
