package logssvc

import (
	"math"
	"sort"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type getIn struct {
	LogGroupName       string `json:"logGroupName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime"`
	EndTime            *int64 `json:"endTime"`
	NextToken          string `json:"nextToken"`
	Limit              *int   `json:"limit"`
	StartFromHead      bool   `json:"startFromHead"`
}

// OutputLogEvent is one event of a GetLogEvents answer.
type OutputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

type getOut struct {
	Events            []OutputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken"`
	NextBackwardToken string           `json:"nextBackwardToken"`
}

// getLogEvents returns a stream's events in [startTime, endTime) (GetLogEvents
// documents endTime as exclusive, unlike FilterLogEvents): the oldest first
// with startFromHead or a forward token ("f/…"), else the newest page, and
// tokens that move forward and backward from the page.
func (s *Service) getLogEvents(c *svc.Call) (any, *awsproto.Error) {
	var in getIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, MaxFilterLimit)
	if err != nil {
		return nil, err
	}
	q := query{end: math.MaxInt64}
	if err := q.times(in.StartTime, in.EndTime); err != nil {
		return nil, err
	}
	dir, tok, _ := strings.Cut(in.NextToken, "/")
	var at *position
	if in.NextToken != "" {
		if at, err = decodePosition(tok); err != nil || (dir != "f" && dir != "b") {
			return nil, invalidParam("The specified nextToken is invalid.")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.lookupGroup(c, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if g.streams[in.LogStreamName] == nil {
		return nil, notFound("The specified log stream does not exist.")
	}
	evs := streamEvents(g, in.LogStreamName, q.start, q.end)
	lo, hi := window(evs, at, dir, in.StartFromHead, limit)
	return renderGet(g.Gen, evs, lo, hi, at), nil
}

// streamEvents lists one stream's events with start <= timestamp < end.
func streamEvents(g *group, name string, start, end int64) []*event {
	var out []*event
	for _, e := range g.events {
		if e.Stream == name && e.Timestamp >= start && (e.Timestamp < end || end == math.MaxInt64) {
			out = append(out, e)
		}
	}
	return out
}

// window picks the page [lo, hi) of evs.
func window(evs []*event, at *position, dir string, head bool, limit int) (int, int) {
	n := len(evs)
	switch {
	case at != nil && dir == "f":
		lo := sort.Search(n, func(i int) bool { return !less(evs[i], &event{Timestamp: at.ts, Seq: at.seq}) && !same(evs[i], at) })
		return lo, min(n, lo+limit)
	case at != nil:
		hi := sort.Search(n, func(i int) bool { return !less(evs[i], &event{Timestamp: at.ts, Seq: at.seq}) })
		return max(0, hi-limit), hi
	case head:
		return 0, min(n, limit)
	}
	return max(0, n-limit), n
}

func same(e *event, p *position) bool { return e.Timestamp == p.ts && e.Seq == p.seq }

func renderGet(gen string, evs []*event, lo, hi int, at *position) getOut {
	out := getOut{Events: []OutputLogEvent{}}
	for _, e := range evs[lo:hi] {
		out.Events = append(out.Events, OutputLogEvent{Timestamp: e.Timestamp, Message: e.Message, IngestionTime: e.Ingestion})
	}
	// At either end the token repeats its position, as AWS's does.
	fwd, back := position{gen: gen}, position{gen: gen}
	if at != nil {
		fwd, back = *at, *at
	}
	if hi > lo {
		fwd = position{gen, evs[hi-1].Timestamp, evs[hi-1].Seq}
		back = position{gen, evs[lo].Timestamp, evs[lo].Seq}
	}
	out.NextForwardToken = "f/" + encodePosition(fwd)
	out.NextBackwardToken = "b/" + encodePosition(back)
	return out
}
