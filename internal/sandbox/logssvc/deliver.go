package logssvc

import (
	"errors"
	"fmt"
	"time"
)

// Errors of Deliver, matched with errors.Is.
var (
	ErrNoGroup = errors.New("log group does not exist")
	ErrDenied  = errors.New("the log group's resource policies do not allow the service principal")
	ErrTooOld  = errors.New("event timestamp outside the accepted range")
)

// Delivery is one event an AWS service (EventBridge) writes into a log
// group on a customer's behalf.
type Delivery struct {
	Account, Region string
	GroupName       string
	StreamName      string
	Principal       string // e.g. events.amazonaws.com
	SourceARN       string // e.g. the rule ARN (aws:SourceArn)
	Timestamp       time.Time
	Message         string
}

// Deliver writes d as a service principal does: the account's resource
// policies must allow d.Principal logs:CreateLogStream (when the stream is
// new) and logs:PutLogEvents on the stream, else nothing is written and
// ErrDenied returned. now is the sandbox time of ingestion. A delivery
// whose stream already holds an event is not written again (EventBridge
// streams hold one event each): a delivery replayed after a crash is
// idempotent.
func (s *Service) Deliver(d Delivery, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupKey{scope{d.Account, d.Region}, d.GroupName}]
	if g == nil {
		return fmt.Errorf("deliver to %s: %w", d.GroupName, ErrNoGroup)
	}
	req := request{service: d.Principal, resource: g.arn(s.env.Partition) + ":log-stream:" + d.StreamName,
		context: map[string]string{"aws:sourcearn": d.SourceARN, "aws:sourceaccount": d.Account}}
	docs := s.docsLocked(scope{d.Account, d.Region})
	st := g.streams[d.StreamName]
	if st != nil && st.bytes != 0 { // messages are never empty
		return nil // delivered before
	}
	if st == nil {
		req.action = "logs:CreateLogStream"
		if !allows(docs, req) {
			return fmt.Errorf("deliver to %s: %w", d.GroupName, ErrDenied)
		}
	}
	req.action = "logs:PutLogEvents"
	if !allows(docs, req) {
		return fmt.Errorf("deliver to %s: %w", d.GroupName, ErrDenied)
	}
	if st == nil {
		var aerr error
		if st, aerr = s.addStreamLockedErr(g, d.StreamName, now.UnixMilli()); aerr != nil {
			return aerr
		}
	}
	rej, aerr := s.appendLocked(g, st, []InputLogEvent{{Timestamp: d.Timestamp.UnixMilli(), Message: d.Message}}, now)
	if aerr != nil {
		return fmt.Errorf("deliver to %s: %w", d.GroupName, aerr)
	}
	if rej != nil {
		return fmt.Errorf("deliver to %s: %w", d.GroupName, ErrTooOld)
	}
	return nil
}

func (s *Service) addStreamLockedErr(g *group, name string, now int64) (*stream, error) {
	st, err := s.addStreamLocked(g, name, now)
	if err != nil {
		return nil, fmt.Errorf("deliver to %s: %w", g.Name, err)
	}
	return st, nil
}

func (s *Service) docsLocked(sc scope) []policyDoc {
	var out []policyDoc
	for _, p := range s.policies[sc] {
		out = append(out, p.parsed)
	}
	return out
}
