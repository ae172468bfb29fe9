// Package trail is the sandbox's CloudTrail event store: services record one
// event per API call (failures included) and the CloudTrail service reads
// them back for LookupEvents. An event is visible in every account listed in
// Accounts (the caller's and the resource owner's, as CloudTrail delivers
// cross-account KMS events to both). It does not decide what to record.
package trail

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/statelog"
)

// UserIdentity is CloudTrail's userIdentity element.
type UserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	// SessionIssuerARN is the role ARN for AssumedRole identities.
	SessionIssuerARN string `json:"sessionIssuerArn,omitempty"`
	// InvokedBy is the AWS service that made the call on the principal's
	// behalf (s3.amazonaws.com for SSE-KMS), empty for direct calls.
	InvokedBy string `json:"invokedBy,omitempty"`
}

// Resource is one entry of the event's resources list.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"` // e.g. AWS::KMS::Key
}

// Event is one recorded API call, shaped like a CloudTrail record.
type Event struct {
	EventVersion        string         `json:"eventVersion"`
	EventID             string         `json:"eventID"`
	EventTime           time.Time      `json:"eventTime"`
	EventSource         string         `json:"eventSource"` // kms.amazonaws.com
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress"`
	UserAgent           string         `json:"userAgent"`
	UserIdentity        UserIdentity   `json:"userIdentity"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RequestID           string         `json:"requestID"`
	ReadOnly            bool           `json:"readOnly"`
	Resources           []Resource     `json:"resources,omitempty"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	RecipientAccountID  string         `json:"recipientAccountId"`
	EventCategory       string         `json:"eventCategory"`
	// Accounts lists every account in which the event is visible.
	Accounts []string `json:"-"`
}

type stored struct {
	Event    Event    `json:"e"`
	Accounts []string `json:"a"`
}

const kind = "trail.event"

// Store keeps events in time order. Safe for concurrent use.
type Store struct {
	mu     sync.RWMutex
	events []*Event // pointers: appends never copy the large structs
	log    *statelog.Log
	// subs are called with each recorded event (EventBridge delivery); an
	// atomic pointer so that recording costs one load when there are none.
	subs atomic.Pointer[[]func(Event)]
}

// Subscribe registers fn to be called with every event recorded from now
// on, synchronously in Record after the event is stored (so a subscriber
// sees every event, once, in the order of its recording goroutine). fn must
// not call Record.
func (s *Store) Subscribe(fn func(Event)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next []func(Event)
	if cur := s.subs.Load(); cur != nil {
		next = append(next, *cur...)
	}
	next = append(next, fn)
	s.subs.Store(&next)
}

// New loads the events already in log.
func New(log *statelog.Log) (*Store, error) {
	s := &Store{log: log}
	err := log.Each(kind, func(_ string, raw json.RawMessage) error {
		var st stored
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("load trail: %w", err)
		}
		st.Event.Accounts = st.Accounts
		ev := st.Event
		s.events = append(s.events, &ev)
		return nil
	})
	return s, err
}

// Record appends e, filling the CloudTrail constants left empty.
func (s *Store) Record(e Event) error {
	if e.EventVersion == "" {
		e.EventVersion = "1.08"
	}
	if e.UserIdentity.InvokedBy == "" && servicePrincipal(e.SourceIPAddress) && e.UserAgent == e.SourceIPAddress {
		e.UserIdentity.InvokedBy = e.SourceIPAddress
	}
	if e.EventType == "" {
		e.EventType = "AwsApiCall"
		e.ManagementEvent = true
		e.EventCategory = "Management"
	}
	s.mu.Lock()
	s.events = append(s.events, &e)
	s.mu.Unlock()
	err := s.log.Append(kind, e.EventID, stored{Event: e, Accounts: e.Accounts})
	if subs := s.subs.Load(); subs != nil {
		for _, fn := range *subs {
			fn(e)
		}
	}
	return err
}

// Visible calls fn for each event visible in account and region, newest
// first, until fn returns false.
func (s *Store) Visible(account, region string, fn func(Event) bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i := len(s.events) - 1; i >= 0; i-- {
		e := s.events[i]
		if e.AWSRegion != region || !contains(e.Accounts, account) {
			continue
		}
		if !fn(*e) {
			return
		}
	}
}

// Len reports the number of stored events.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.events)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// servicePrincipal reports whether src is an AWS service name, which is
// what CloudTrail records as sourceIPAddress (and userAgent) when a service
// calls on a principal's behalf.
func servicePrincipal(src string) bool {
	return strings.HasSuffix(src, ".amazonaws.com") && !strings.ContainsAny(src, ":/ ")
}
