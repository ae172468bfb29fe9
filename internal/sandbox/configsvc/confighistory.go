package configsvc

import (
	"math"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type historyInput struct {
	ResourceType       string   `json:"resourceType"`
	ResourceID         string   `json:"resourceId"`
	LaterTime          *float64 `json:"laterTime"`
	EarlierTime        *float64 `json:"earlierTime"`
	ChronologicalOrder string   `json:"chronologicalOrder"`
	Limit              int      `json:"limit"`
	NextToken          string   `json:"nextToken"`
}

type historyOutput struct {
	ConfigurationItems []apiItem `json:"configurationItems"`
	NextToken          string    `json:"nextToken,omitempty"`
}

// resourceHistory is GetResourceConfigHistory (AWS Config API Reference):
// the items captured between earlierTime and laterTime, both inclusive
// (laterTime defaults to now, earlierTime to the first item), newest first
// unless chronologicalOrder is Forward; limit 0–100 (default 10), paginated.
// The AWS Config Developer Guide fetches an oversized notification's item
// with laterTime = its configurationItemCaptureTime and limit 1, which
// relies on laterTime being inclusive.
func (s *Service) resourceHistory(c *svc.Call) (any, *awsproto.Error) {
	var in historyInput
	if err := awsproto.DecodeJSON(c.Body, &in); err != nil {
		return nil, err
	}
	if err := checkHistoryInput(&in); err != nil {
		return nil, err
	}
	limit, start, err := pageBounds(in.Limit, in.NextToken, 10)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if serr := s.sync(c.Caller.Account, c.Region, c.Now); serr != nil {
		return nil, internalError(serr)
	}
	h := s.history[scope{c.Caller.Account, c.Region}][resKey(in.ResourceType, in.ResourceID)]
	if h == nil {
		return nil, awsproto.Errorf("ResourceNotDiscoveredException",
			"Resource %s of resourceType:%s is unknown or has not been discovered", in.ResourceID, in.ResourceType)
	}
	recs := inRange(h.Records, in.EarlierTime, in.LaterTime, in.ChronologicalOrder == "Forward")
	out := historyOutput{ConfigurationItems: []apiItem{}, NextToken: nextToken(min(start+limit, len(recs)), len(recs))}
	for i := start; i < len(recs) && i < start+limit; i++ {
		out.ConfigurationItems = append(out.ConfigurationItems, recs[i].api())
	}
	return out, nil
}

func checkHistoryInput(in *historyInput) *awsproto.Error {
	if err := checkType(in.ResourceType); err != nil {
		return err
	}
	switch in.ChronologicalOrder {
	case "", "Reverse", "Forward":
	default:
		return validation("1 validation error detected: Value '%s' at 'chronologicalOrder' failed to satisfy constraint: Member must satisfy enum value set: [Reverse, Forward]", in.ChronologicalOrder)
	}
	if in.EarlierTime != nil && in.LaterTime != nil && *in.EarlierTime > *in.LaterTime {
		return awsproto.Errorf("InvalidTimeRangeException", "The specified time range is not valid. The earlier time is not chronologically before the later time.")
	}
	return nil
}

// inRange returns the records captured within [earlier, later] (epoch
// seconds, nil = unbounded), oldest first when forward, else newest first.
// Capture times are kept to the millisecond, as Config reports them.
func inRange(recs []Record, earlier, later *float64, forward bool) []Record {
	var out []Record
	for _, r := range recs {
		at := r.Capture.UnixMilli()
		if (earlier != nil && at < millis(*earlier)) || (later != nil && at > millis(*later)) {
			continue
		}
		out = append(out, r)
	}
	if !forward {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// millis converts an epoch-seconds timestamp to milliseconds, rounding the
// float's representation error away.
func millis(sec float64) int64 { return int64(math.Round(sec * 1000)) }
