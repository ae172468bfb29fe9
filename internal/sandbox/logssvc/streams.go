package logssvc

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

type streamIn struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

type describeStreamsIn struct {
	LogGroupName        string `json:"logGroupName"`
	LogGroupIdentifier  string `json:"logGroupIdentifier"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix"`
	OrderBy             string `json:"orderBy"`
	Descending          bool   `json:"descending"`
	NextToken           string `json:"nextToken"`
	Limit               *int   `json:"limit"`
}

type streamOut struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

type describeStreamsOut struct {
	LogStreams []streamOut `json:"logStreams"`
	NextToken  string      `json:"nextToken,omitempty"`
}

func (s *Service) createLogStream(c *svc.Call) (any, *awsproto.Error) {
	var in streamIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if !validStreamName(in.LogStreamName) {
		return nil, invalidParam("1 validation error detected: Value '%s' at 'logStreamName' failed to satisfy constraint: "+
			"Member must satisfy regular expression pattern: [^:*]* (1 to 512 characters)", in.LogStreamName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupKey{scope{c.Caller.Account, c.Region}, in.LogGroupName}]
	if g == nil {
		return nil, groupNotFound()
	}
	if _, err := s.addStreamLocked(g, in.LogStreamName, c.Now.UnixMilli()); err != nil {
		return nil, err
	}
	return nil, nil
}

func (s *Service) addStreamLocked(g *group, name string, now int64) (*stream, *awsproto.Error) {
	if g.streams[name] != nil {
		return nil, awsproto.Errorf("ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	st := &stream{Group: g.Gen, Name: name, Created: now}
	if err := s.env.State.Put(kindStream, streamID(g.Gen, name), st); err != nil {
		return nil, internal(err)
	}
	g.streams[name] = st
	return st, nil
}

// lookupGroup finds the group a request names by logGroupName or by
// logGroupIdentifier (a name or an ARN, with or without ":*"); exactly one
// of them must be given. Caller holds s.mu.
func (s *Service) lookupGroup(c *svc.Call, name, ident string) (*group, *awsproto.Error) {
	switch {
	case name != "" && ident != "":
		return nil, invalidParam("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name == "" && ident == "":
		return nil, invalidParam("Either logGroupName or logGroupIdentifier must be specified.")
	case ident != "":
		name = ident
		if strings.HasPrefix(ident, "arn:") {
			account, region, n, ok := parseGroupARN(ident)
			if !ok {
				return nil, invalidParam("logGroupIdentifier %q is not a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME).", ident)
			}
			if account != c.Caller.Account || region != c.Region {
				return nil, groupNotFound()
			}
			name = n
		}
	}
	g := s.groups[groupKey{scope{c.Caller.Account, c.Region}, name}]
	if g == nil {
		return nil, groupNotFound()
	}
	return g, nil
}

// parseGroupARN splits arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME[:*].
func parseGroupARN(arn string) (account, region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[2] != "logs" || parts[5] != "log-group" {
		return "", "", "", false
	}
	name = strings.TrimSuffix(parts[6], ":*")
	return parts[4], parts[3], name, validGroupName(name)
}

func (s *Service) describeLogStreams(c *svc.Call) (any, *awsproto.Error) {
	var in describeStreamsIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.LogStreamNamePrefix != "" {
			return nil, invalidParam("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, invalidParam("orderBy must be LogStreamName or LastEventTime, not %q.", in.OrderBy)
	}
	start, err := decodeOffsetToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.lookupGroup(c, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	all := sortedStreams(g, in)
	out := describeStreamsOut{LogStreams: []streamOut{}}
	for i := start; i < len(all) && len(out.LogStreams) < limit; i++ {
		out.LogStreams = append(out.LogStreams, renderStream(g, all[i], s.env.Partition))
	}
	if next := start + len(out.LogStreams); next < len(all) {
		out.NextToken = encodeOffsetToken(next)
	}
	return out, nil
}

func sortedStreams(g *group, in describeStreamsIn) []*stream {
	var all []*stream
	for name, st := range g.streams {
		if strings.HasPrefix(name, in.LogStreamNamePrefix) {
			all = append(all, st)
		}
	}
	slices.SortFunc(all, func(a, b *stream) int {
		if in.OrderBy == "LastEventTime" && a.last != b.last {
			return cmp.Compare(a.last, b.last)
		}
		return strings.Compare(a.Name, b.Name)
	})
	if in.Descending {
		slices.Reverse(all)
	}
	return all
}

func renderStream(g *group, st *stream, partition string) streamOut {
	return streamOut{LogStreamName: st.Name, CreationTime: st.Created, FirstEventTimestamp: st.first,
		LastEventTimestamp: st.last, LastIngestionTime: st.lastIngest, StoredBytes: st.bytes,
		UploadSequenceToken: "49039859" + strconv.FormatInt(st.lastIngest, 10),
		Arn:                 g.arn(partition) + ":log-stream:" + st.Name}
}

const offsetTokenPrefix = "logs-off:"

func encodeOffsetToken(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(offsetTokenPrefix + strconv.Itoa(n)))
}

func decodeOffsetToken(t string) (int, *awsproto.Error) {
	if t == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(t)
	rest, ok := strings.CutPrefix(string(raw), offsetTokenPrefix)
	n, perr := strconv.Atoi(rest)
	if err != nil || !ok || perr != nil || n < 0 {
		return 0, invalidParam("The specified nextToken is invalid.")
	}
	return n, nil
}
