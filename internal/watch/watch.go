// Package watch reads CloudTrail in the Security and consumer accounts for
// KMS calls on a key that failed (AccessDenied, IncorrectKey, invalid
// state, disabled key, …) and groups them by account, principal and event:
// the seed's "monitor for errors" step. It only reads; it decides nothing.
//
// Failures and FailuresExcept look one key up (LookupEvents by
// ResourceName). A Watcher reads one account and Region for many keys at
// once (by EventSource, in successive overlapping windows) and falls back
// to per-key lookups when the account's KMS traffic is more than
// LookupEvents can page through (2 calls of 50 events per second). Either
// way an event CloudTrail delivers after it was looked for is missed: the
// caller's watch window is the time it allows for delivery (the watcher's
// windows reach back that far).
package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// Trail is CloudTrail LookupEvents.
type Trail interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// Failure is a group of failed calls.
type Failure struct {
	Account   string    `json:"account"` // where the event was read
	Principal string    `json:"principal"`
	Event     string    `json:"event"`
	ErrorCode string    `json:"error_code"`
	Count     int       `json:"count"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	Message   string    `json:"message"` // one example errorMessage
}

// Own identifies the calls of a byok run, which the watch does not judge:
// events whose principal is the run's operator and whose request ID the
// run journaled. Both must match: an unjournaled call of the operator, and
// any call of another principal (a consumer using a role of the same name
// in another account included), is judged.
type Own struct {
	Principal  string          // the run's operator, as STS named it
	RequestIDs map[string]bool // request IDs of the run's calls
}

// Has reports whether the event with principal and requestID is the run's.
func (o Own) Has(principal, requestID string) bool {
	return requestID != "" && o.RequestIDs[requestID] && samePrincipal(o.Principal, principal)
}

// samePrincipal compares two principal ARNs as the same identity: for an
// assumed role, its account and role name (a resumed run's process has
// its own session name); otherwise the ARN itself.
func samePrincipal(a, b string) bool {
	return a != "" && roleOf(a) == roleOf(b)
}

// roleOf maps arn:PART:sts::ACCT:assumed-role/ROLE/SESSION to
// PART:ACCT:role/ROLE; any other ARN to itself.
func roleOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "sts" || !strings.HasPrefix(parts[5], "assumed-role/") {
		return arn
	}
	role, _, _ := strings.Cut(strings.TrimPrefix(parts[5], "assumed-role/"), "/")
	return parts[1] + ":" + parts[4] + ":role/" + role
}

type record struct {
	RequestID    string `json:"requestID"`
	EventName    string `json:"eventName"`
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
	EventSource  string `json:"eventSource"`
	UserIdentity struct {
		ARN string `json:"arn"`
	} `json:"userIdentity"`
	RequestParameters requestParameters `json:"requestParameters"`
}

// requestParameters is the part of a KMS request the watch reads: the
// key the caller named. Any other shape (null, another type) reads as
// empty rather than dropping the event.
type requestParameters struct {
	KeyID string
}

func (p *requestParameters) UnmarshalJSON(b []byte) error {
	var m struct {
		KeyID any `json:"keyId"`
	}
	if json.Unmarshal(b, &m) == nil {
		p.KeyID, _ = m.KeyID.(string)
	}
	return nil
}

// Failures returns the failed KMS calls on keyARN between since and until,
// as seen from account, grouped.
func Failures(ctx context.Context, t Trail, account, keyARN string, since, until time.Time) ([]Failure, error) {
	return FailuresExcept(ctx, t, account, keyARN, since, until, Own{})
}

// FailuresExcept is Failures without the calls own identifies.
func FailuresExcept(ctx context.Context, t Trail, account, keyARN string, since, until time.Time, own Own) ([]Failure, error) {
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyResourceName, AttributeValue: aws.String(keyARN)}},
		StartTime:        aws.Time(since), EndTime: aws.Time(until),
	}
	groups := map[string]*Failure{}
	p := cloudtrail.NewLookupEventsPaginator(t, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("lookup CloudTrail events in %s: %w", account, err)
		}
		for _, ev := range out.Events {
			addEvent(groups, account, ev, own)
		}
	}
	return sorted(groups), nil
}

func addEvent(groups map[string]*Failure, account string, ev types.Event, own Own) {
	var r record
	if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &r); err != nil || r.ErrorCode == "" {
		return
	}
	addRecord(groups, account, r, aws.ToTime(ev.EventTime), own)
}

// addRecord counts the failed call r made at at in its group, unless it
// is own's or not a KMS call.
func addRecord(groups map[string]*Failure, account string, r record, at time.Time, own Own) {
	if own.Has(r.UserIdentity.ARN, r.RequestID) {
		return
	}
	if r.EventSource != "" && r.EventSource != "kms.amazonaws.com" {
		return
	}
	k := account + "|" + r.UserIdentity.ARN + "|" + r.EventName + "|" + r.ErrorCode
	g := groups[k]
	if g == nil {
		g = &Failure{Account: account, Principal: r.UserIdentity.ARN, Event: r.EventName,
			ErrorCode: r.ErrorCode, First: at, Last: at, Message: r.ErrorMessage}
		groups[k] = g
	}
	g.Count++
	if at.Before(g.First) {
		g.First = at
	}
	if at.After(g.Last) {
		g.Last = at
	}
}

func sorted(groups map[string]*Failure) []Failure {
	out := make([]Failure, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Account+out[i].Principal+out[i].Event < out[j].Account+out[j].Principal+out[j].Event
	})
	return out
}
