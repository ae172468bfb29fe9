package logssvc

import (
	"strconv"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

// PutLogEvents limits (PutLogEvents, CloudWatch Logs API Reference).
const (
	MaxBatchEvents  = 10000
	MaxBatchBytes   = 1048576 // sum of UTF-8 message sizes + 26 bytes per event
	EventOverhead   = 26
	MaxBatchSpan    = 24 * time.Hour
	MaxFutureSkew   = 2 * time.Hour
	MaxEventAge     = 14 * 24 * time.Hour
	maxMessageBytes = MaxBatchBytes - EventOverhead
)

// InputLogEvent is one event of a PutLogEvents batch.
type InputLogEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

type putIn struct {
	LogGroupName  string          `json:"logGroupName"`
	LogStreamName string          `json:"logStreamName"`
	LogEvents     []InputLogEvent `json:"logEvents"`
	SequenceToken string          `json:"sequenceToken"` // ignored, as AWS now ignores it
}

// Rejected is PutLogEvents' rejectedLogEventsInfo: indexes into the batch.
type Rejected struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

type putOut struct {
	NextSequenceToken     string    `json:"nextSequenceToken"`
	RejectedLogEventsInfo *Rejected `json:"rejectedLogEventsInfo,omitempty"`
}

func (s *Service) putLogEvents(c *svc.Call) (any, *awsproto.Error) {
	var in putIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := checkBatch(in.LogEvents); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupKey{scope{c.Caller.Account, c.Region}, in.LogGroupName}]
	if g == nil {
		return nil, groupNotFound()
	}
	st := g.streams[in.LogStreamName]
	if st == nil {
		return nil, notFound("The specified log stream does not exist.")
	}
	rej, err := s.appendLocked(g, st, in.LogEvents, c.Now)
	if err != nil {
		return nil, err
	}
	return putOut{NextSequenceToken: "49039859" + strconv.FormatUint(s.seq, 10), RejectedLogEventsInfo: rej}, nil
}

// checkBatch applies the rules that fail a whole PutLogEvents call.
func checkBatch(evs []InputLogEvent) *awsproto.Error {
	if len(evs) < 1 || len(evs) > MaxBatchEvents {
		return invalidParam("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: "+
			"Member must have length between 1 and %d (got %d events)", MaxBatchEvents, len(evs))
	}
	size := 0
	for i, e := range evs {
		if len(e.Message) < 1 {
			return invalidParam("1 validation error detected: Value at 'logEvents.%d.member.message' failed to satisfy constraint: "+
				"Member must have length greater than or equal to 1", i+1)
		}
		if i > 0 && e.Timestamp < evs[i-1].Timestamp {
			return invalidParam("Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(e.Message) + EventOverhead
	}
	if size > MaxBatchBytes {
		return invalidParam("Upload too large: %d bytes exceeds limit of %d", size, MaxBatchBytes)
	}
	if time.Duration(evs[len(evs)-1].Timestamp-evs[0].Timestamp)*time.Millisecond > MaxBatchSpan {
		return invalidParam("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	return nil
}

// appendLocked stores the events of a checked batch that are neither too
// new, too old nor past the group's retention, and reports the others as
// AWS does (indexes into the batch). Caller holds s.mu.
func (s *Service) appendLocked(g *group, st *stream, evs []InputLogEvent, now time.Time) (*Rejected, *awsproto.Error) {
	ms := now.UnixMilli()
	tooNew := ms + MaxFutureSkew.Milliseconds()
	tooOld := ms - MaxEventAge.Milliseconds()
	expired := int64(-1 << 62)
	if g.Retention > 0 {
		expired = ms - int64(g.Retention)*24*time.Hour.Milliseconds()
	}
	var rej Rejected
	for i, e := range evs {
		switch {
		case e.Timestamp > tooNew:
			if rej.TooNewLogEventStartIndex == nil {
				rej.TooNewLogEventStartIndex = ptr(i)
			}
			continue
		case e.Timestamp < tooOld:
			rej.TooOldLogEventEndIndex = ptr(i)
			continue
		case e.Timestamp < expired:
			rej.ExpiredLogEventEndIndex = ptr(i)
			continue
		}
		if err := s.storeLocked(g, st, e, ms); err != nil {
			return nil, err
		}
	}
	if rej == (Rejected{}) {
		return nil, nil
	}
	return &rej, nil
}

func (s *Service) storeLocked(g *group, st *stream, in InputLogEvent, now int64) *awsproto.Error {
	s.seq++
	e := &event{Gen: g.Gen, Stream: st.Name, Timestamp: in.Timestamp, Ingestion: now, Seq: s.seq, Message: in.Message}
	if err := s.env.State.Append(kindEvent, eventKey(e), e); err != nil {
		return internal(err)
	}
	g.insert(e)
	st.account(e)
	return nil
}

func ptr(i int) *int { return &i }
