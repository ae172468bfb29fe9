package logssvc

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// State-log kinds. Events are appended (never updated) and kept in memory
// here; groups, streams and policies are put and deleted.
const (
	kindGroup  = "logs.group"
	kindStream = "logs.stream"
	kindPolicy = "logs.policy"
	kindEvent  = "logs.event"
)

// group is one log group. Gen identifies this incarnation of the name: the
// events and streams of a deleted group (still in the append-only log)
// are dropped at load because their Gen no longer exists.
type group struct {
	Account   string `json:"account"`
	Region    string `json:"region"`
	Name      string `json:"name"`
	Gen       string `json:"gen"`
	Created   int64  `json:"created"` // epoch ms
	Retention int32  `json:"retention,omitempty"`

	streams map[string]*stream
	events  []*event // sorted by (Timestamp, Seq)
}

type stream struct {
	Group   string `json:"group"` // group Gen
	Name    string `json:"name"`
	Created int64  `json:"created"`

	first, last, lastIngest int64
	bytes                   int64
}

// event is one stored log event.
type event struct {
	Gen       string `json:"g"`
	Stream    string `json:"s"`
	Timestamp int64  `json:"t"`
	Ingestion int64  `json:"i"`
	Seq       uint64 `json:"q"`
	Message   string `json:"m"`
}

// eventID renders the event's ID as CloudWatch Logs does: a long decimal
// string, here the timestamp and the sequence number, so IDs are unique
// and sort like the events.
func (e *event) eventID() string {
	return fmt.Sprintf("%020d%020d", e.Timestamp, e.Seq)
}

func (g *group) arn(partition string) string {
	return "arn:" + partition + ":logs:" + g.Region + ":" + g.Account + ":log-group:" + g.Name
}

func (g *group) id() string { return g.Account + "/" + g.Region + "/" + g.Name }

func newGen() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// insert places e in time order; events mostly arrive in order, so the
// search starts from the end.
func (g *group) insert(e *event) {
	n := len(g.events)
	if n == 0 || !less(e, g.events[n-1]) {
		g.events = append(g.events, e)
		return
	}
	i := sort.Search(n, func(i int) bool { return less(e, g.events[i]) })
	g.events = append(g.events, nil)
	copy(g.events[i+1:], g.events[i:])
	g.events[i] = e
}

func less(a, b *event) bool {
	if a.Timestamp != b.Timestamp {
		return a.Timestamp < b.Timestamp
	}
	return a.Seq < b.Seq
}

func (st *stream) account(e *event) {
	if st.first == 0 || e.Timestamp < st.first {
		st.first = e.Timestamp
	}
	if e.Timestamp > st.last {
		st.last = e.Timestamp
	}
	if e.Ingestion > st.lastIngest {
		st.lastIngest = e.Ingestion
	}
	st.bytes += int64(len(e.Message))
}

// load replays groups, streams, policies and events from the state log.
func (s *Service) load() error {
	gens := map[string]*group{}
	err := s.env.State.Each(kindGroup, func(_ string, raw json.RawMessage) error {
		var g group
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("load log group: %w", err)
		}
		g.streams = map[string]*stream{}
		s.groups[groupKey{scope{g.Account, g.Region}, g.Name}] = &g
		gens[g.Gen] = &g
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.loadStreams(gens); err != nil {
		return err
	}
	if err := s.loadPolicies(); err != nil {
		return err
	}
	return s.loadEvents(gens)
}

func (s *Service) loadStreams(gens map[string]*group) error {
	return s.env.State.Each(kindStream, func(id string, raw json.RawMessage) error {
		var st stream
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("load log stream: %w", err)
		}
		if g := gens[st.Group]; g != nil {
			g.streams[st.Name] = &st
		}
		return nil
	})
}

func (s *Service) loadEvents(gens map[string]*group) error {
	return s.env.State.Each(kindEvent, func(_ string, raw json.RawMessage) error {
		var e event
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("load log event: %w", err)
		}
		if e.Seq > s.seq {
			s.seq = e.Seq
		}
		g := gens[e.Gen]
		if g == nil {
			return nil // group deleted since
		}
		if st := g.streams[e.Stream]; st != nil {
			g.insert(&e)
			st.account(&e)
		}
		return nil
	})
}

func streamID(gen, name string) string { return gen + "/" + name }

func eventKey(e *event) string { return e.Gen + "/" + strconv.FormatUint(e.Seq, 10) }

// validName reports whether name is a valid log group name: 1-512 of
// a-z, A-Z, 0-9, '_', '-', '/', '.' and '#'.
func validGroupName(name string) bool {
	if len(name) < 1 || len(name) > 512 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-/.#", r)) {
			return false
		}
	}
	return true
}

// validStreamName: 1-512 characters, no ':' or '*'.
func validStreamName(name string) bool {
	return len(name) >= 1 && len(name) <= 512 && !strings.ContainsAny(name, ":*")
}
