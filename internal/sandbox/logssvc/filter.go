package logssvc

import (
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// MaxFilterLimit is FilterLogEvents' and GetLogEvents' largest limit;
// maxPageBytes the most message bytes one page returns (1 MB).
const (
	MaxFilterLimit = 10000
	maxPageBytes   = 1 << 20
)

type filterIn struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       string   `json:"filterPattern"`
	NextToken           string   `json:"nextToken"`
	Limit               *int     `json:"limit"`
}

// FilteredEvent is one event of a FilterLogEvents answer.
type FilteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type filterOut struct {
	Events             []FilteredEvent `json:"events"`
	SearchedLogStreams []searched      `json:"searchedLogStreams"`
	NextToken          string          `json:"nextToken,omitempty"`
}

type searched struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

// query is a checked FilterLogEvents request.
type query struct {
	streams    map[string]bool // nil: every stream
	prefix     string
	start, end int64 // inclusive both, as FilterLogEvents documents
	pattern    Pattern
	limit      int
	after      *position
}

// position is where a page ended: the (timestamp, sequence) of its last
// event in the group's time order, so later pages are stable while events
// are added.
type position struct {
	gen string
	ts  int64
	seq uint64
}

func decodeFilter(body []byte) (filterIn, query, *awsproto.Error) {
	var in filterIn
	q := query{start: 0, end: math.MaxInt64}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return in, q, err
	}
	var err *awsproto.Error
	if q.limit, err = pageLimit(in.Limit, MaxFilterLimit); err != nil {
		return in, q, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return in, q, invalidParam("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	if len(in.LogStreamNames) > 100 {
		return in, q, invalidParam("logStreamNames has %d names; at most 100 are allowed.", len(in.LogStreamNames))
	}
	if err := q.times(in.StartTime, in.EndTime); err != nil {
		return in, q, err
	}
	p, perr := ParsePattern(in.FilterPattern)
	if perr != nil {
		return in, q, invalidParam("Invalid filter pattern %q: %v", in.FilterPattern, perr)
	}
	q.pattern, q.prefix = p, in.LogStreamNamePrefix
	if len(in.LogStreamNames) > 0 {
		q.streams = map[string]bool{}
		for _, n := range in.LogStreamNames {
			q.streams[n] = true
		}
	}
	q.after, err = decodePosition(in.NextToken)
	return in, q, err
}

func (q *query) times(start, end *int64) *awsproto.Error {
	if start != nil {
		if *start < 0 {
			return invalidParam("1 validation error detected: Value '%d' at 'startTime' failed to satisfy constraint: Member must have value greater than or equal to 0", *start)
		}
		q.start = *start
	}
	if end != nil {
		if *end < 0 {
			return invalidParam("1 validation error detected: Value '%d' at 'endTime' failed to satisfy constraint: Member must have value greater than or equal to 0", *end)
		}
		q.end = *end
	}
	if q.end < q.start {
		return invalidParam("endTime (%d) must not be before startTime (%d).", q.end, q.start)
	}
	return nil
}

func (s *Service) filterLogEvents(c *svc.Call) (any, *awsproto.Error) {
	in, q, err := decodeFilter(c.Body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.lookupGroup(c, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if q.after != nil && q.after.gen != g.Gen {
		return nil, invalidParam("The specified nextToken is invalid (it belongs to another log group).")
	}
	return q.run(g), nil
}

// run pages through g's events in time order from the query's position.
func (q *query) run(g *group) filterOut {
	out := filterOut{Events: []FilteredEvent{}, SearchedLogStreams: []searched{}}
	i := q.firstIndex(g)
	bytes := 0
	for ; i < len(g.events); i++ {
		e := g.events[i]
		if e.Timestamp > q.end {
			break
		}
		if !q.selects(e) {
			continue
		}
		if len(out.Events) == q.limit || bytes+len(e.Message) > maxPageBytes {
			prev := g.events[i-1] // every event between it and the page's last was not selected
			out.NextToken = encodePosition(position{g.Gen, prev.Timestamp, prev.Seq})
			break
		}
		bytes += len(e.Message)
		out.Events = append(out.Events, FilteredEvent{LogStreamName: e.Stream, Timestamp: e.Timestamp,
			Message: e.Message, IngestionTime: e.Ingestion, EventID: e.eventID()})
	}
	return out
}

func (q *query) firstIndex(g *group) int {
	if q.after != nil {
		a := q.after
		return sort.Search(len(g.events), func(i int) bool {
			e := g.events[i]
			return e.Timestamp > a.ts || e.Timestamp == a.ts && e.Seq > a.seq
		})
	}
	return sort.Search(len(g.events), func(i int) bool { return g.events[i].Timestamp >= q.start })
}

func (q *query) selects(e *event) bool {
	if e.Timestamp < q.start {
		return false
	}
	if q.streams != nil && !q.streams[e.Stream] {
		return false
	}
	return strings.HasPrefix(e.Stream, q.prefix) && q.pattern.Match(e.Message)
}

const positionPrefix = "logs-pos:"

func encodePosition(p position) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s%s:%d:%d", positionPrefix, p.gen, p.ts, p.seq)))
}

func decodePosition(t string) (*position, *awsproto.Error) {
	if t == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(t)
	rest, ok := strings.CutPrefix(string(raw), positionPrefix)
	parts := strings.Split(rest, ":")
	var p position
	if err != nil || !ok || len(parts) != 3 || parts[0] == "" {
		return nil, invalidParam("The specified nextToken is invalid.")
	}
	p.gen = parts[0]
	if _, err := fmt.Sscanf(parts[1]+" "+parts[2], "%d %d", &p.ts, &p.seq); err != nil {
		return nil, invalidParam("The specified nextToken is invalid.")
	}
	return &p, nil
}
