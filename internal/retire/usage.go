package retire

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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

// cryptoEvents are the KMS operations that use a key's material: a key
// that saw any of them in the quiet period still protects someone's data.
var cryptoEvents = map[string]bool{
	"Encrypt": true, "Decrypt": true, "ReEncrypt": true,
	"GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true,
}

// Use is a group of cryptographic calls on the key by one principal (or by
// an AWS service on its behalf), as one account's CloudTrail shows them.
type Use struct {
	Account   string    `json:"account"` // whose CloudTrail showed it
	Principal string    `json:"principal"`
	InvokedBy string    `json:"invoked_by,omitempty"` // e.g. s3.amazonaws.com on the principal's behalf
	Event     string    `json:"event"`
	Failed    int       `json:"failed"` // of Count, calls that returned an error
	Count     int       `json:"count"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
}

// useRecord is the part of a CloudTrail record usage reads.
type useRecord struct {
	EventName    string `json:"eventName"`
	EventSource  string `json:"eventSource"`
	ErrorCode    string `json:"errorCode"`
	UserIdentity struct {
		ARN       string `json:"arn"`
		InvokedBy string `json:"invokedBy"`
	} `json:"userIdentity"`
}

// ReadUsage returns the cryptographic calls on keyARN between since and
// until that account's CloudTrail holds, grouped by principal, service and
// operation (failed calls too: a consumer still trying the key needs it).
func ReadUsage(ctx context.Context, t Trail, account, keyARN string, since, until time.Time) ([]Use, error) {
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyResourceName, AttributeValue: aws.String(keyARN)}},
		StartTime:        aws.Time(since), EndTime: aws.Time(until),
	}
	groups := map[string]*Use{}
	p := cloudtrail.NewLookupEventsPaginator(t, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("lookup CloudTrail events on %s in account %s: %w", keyARN, account, err)
		}
		for _, ev := range out.Events {
			addUse(groups, account, ev)
		}
	}
	return sortedUses(groups), nil
}

func addUse(groups map[string]*Use, account string, ev types.Event) {
	var r useRecord
	if json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &r) != nil || !cryptoEvents[r.EventName] {
		return
	}
	if r.EventSource != "" && r.EventSource != "kms.amazonaws.com" {
		return
	}
	k := strings.Join([]string{account, r.UserIdentity.ARN, r.UserIdentity.InvokedBy, r.EventName}, "|")
	at := aws.ToTime(ev.EventTime)
	u := groups[k]
	if u == nil {
		u = &Use{Account: account, Principal: r.UserIdentity.ARN, InvokedBy: r.UserIdentity.InvokedBy, Event: r.EventName, First: at, Last: at}
		groups[k] = u
	}
	u.Count++
	if r.ErrorCode != "" {
		u.Failed++
	}
	u.First, u.Last = minTime(u.First, at), maxTime(u.Last, at)
}

func sortedUses(groups map[string]*Use) []Use {
	out := make([]Use, 0, len(groups))
	for _, u := range groups {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b Use) int {
		if c := b.Last.Compare(a.Last); c != 0 {
			return c
		}
		return strings.Compare(a.Account+a.Principal+a.Event, b.Account+b.Principal+b.Event)
	})
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
