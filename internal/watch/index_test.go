package watch

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

const (
	keyA = "arn:aws:kms:eu-west-1:111111111111:key/aaaaaaaa-0000-0000-0000-000000000001"
	keyB = "arn:aws:kms:eu-west-1:111111111111:key/bbbbbbbb-0000-0000-0000-000000000002"
	app  = "arn:aws:sts::222222222222:assumed-role/app/s1"
	op   = "arn:aws:sts::111111111111:assumed-role/byok-operator/run"
)

var t0 = time.Date(2026, 12, 5, 23, 0, 0, 0, time.UTC)

// ev is one LookupEvents event: id, second after t0, who, what, error,
// the resources it lists and its CloudTrail record's requestParameters.
func ev(id string, sec int, who, name, code string, resources []string, params any) types.Event {
	rec := map[string]any{"eventID": id, "requestID": "req-" + id, "eventName": name, "eventSource": "kms.amazonaws.com",
		"userIdentity": map[string]any{"arn": who}, "requestParameters": params}
	if code != "" {
		rec["errorCode"], rec["errorMessage"] = code, "denied "+id
	}
	raw, _ := json.Marshal(rec)
	out := types.Event{EventId: aws.String(id), EventName: aws.String(name), EventTime: aws.Time(t0.Add(time.Duration(sec) * time.Second)),
		CloudTrailEvent: aws.String(string(raw))}
	for _, r := range resources {
		out.Resources = append(out.Resources, types.Resource{ResourceName: aws.String(r), ResourceType: aws.String("AWS::KMS::Key")})
	}
	return out
}

// TestWatcherDistributes feeds events to a watcher's index as its passes
// would (overlapping windows deliver some twice) and asks per key.
func TestWatcherDistributes(t *testing.T) {
	bad := ev("bad", 1, app, "Decrypt", "IncorrectKeyException", []string{keyA}, map[string]any{"keyId": keyA})
	badJSON := bad
	badJSON.CloudTrailEvent = aws.String("{not json")
	otherSource := ev("s3", 1, app, "GetObject", "AccessDenied", []string{keyA}, nil)
	otherSource.CloudTrailEvent = aws.String(`{"eventSource":"s3.amazonaws.com","errorCode":"AccessDenied","eventName":"GetObject"}`)
	cases := map[string]struct {
		events       []types.Event
		key          string
		since, until int
		own          Own
		want         map[string]int // event|code → count
	}{
		"failure on A is A's":                {[]types.Event{bad}, keyA, 0, 10, Own{}, map[string]int{"Decrypt|IncorrectKeyException": 1}},
		"failure on A is not B's":            {[]types.Event{bad}, keyB, 0, 10, Own{}, nil},
		"delivered twice, counted once":      {[]types.Event{bad, bad, bad}, keyA, 0, 10, Own{}, map[string]int{"Decrypt|IncorrectKeyException": 1}},
		"successful call is no failure":      {[]types.Event{ev("ok", 1, app, "Decrypt", "", []string{keyA}, nil)}, keyA, 0, 10, Own{}, nil},
		"no resource, key ARN in keyId":      {[]types.Event{ev("k", 1, app, "Encrypt", "AccessDeniedException", nil, map[string]any{"keyId": keyB})}, keyB, 0, 10, Own{}, map[string]int{"Encrypt|AccessDeniedException": 1}},
		"alias in keyId names no key":        {[]types.Event{ev("al", 1, app, "Encrypt", "NotFoundException", nil, map[string]any{"keyId": "alias/dev/s3"})}, keyA, 0, 10, Own{}, nil},
		"keyId of another type is ignored":   {[]types.Event{ev("n", 1, app, "Encrypt", "AccessDeniedException", []string{keyA}, map[string]any{"keyId": 7})}, keyA, 0, 10, Own{}, map[string]int{"Encrypt|AccessDeniedException": 1}},
		"two keys named, each has it":        {[]types.Event{ev("re", 1, app, "ReEncrypt", "DisabledException", []string{keyA, keyB}, nil)}, keyB, 0, 10, Own{}, map[string]int{"ReEncrypt|DisabledException": 1}},
		"before since":                       {[]types.Event{bad}, keyA, 2, 10, Own{}, nil},
		"after until and skew":               {[]types.Event{ev("late", 16, app, "Decrypt", "KMSInvalidStateException", []string{keyA}, nil)}, keyA, 0, 10, Own{}, nil},
		"within skew after until":            {[]types.Event{ev("skew", 14, app, "Decrypt", "KMSInvalidStateException", []string{keyA}, nil)}, keyA, 0, 10, Own{}, map[string]int{"Decrypt|KMSInvalidStateException": 1}},
		"own journaled call left out":        {[]types.Event{ev("own", 1, op, "RotateKeyOnDemand", "ConflictException", []string{keyA}, nil)}, keyA, 0, 10, Own{Principal: op, RequestIDs: map[string]bool{"req-own": true}}, nil},
		"operator's unjournaled call judged": {[]types.Event{ev("own2", 1, op, "Decrypt", "AccessDeniedException", []string{keyA}, nil)}, keyA, 0, 10, Own{Principal: op, RequestIDs: map[string]bool{"req-own": true}}, map[string]int{"Decrypt|AccessDeniedException": 1}},
		"unreadable record skipped":          {[]types.Event{badJSON}, keyA, 0, 10, Own{}, nil},
		"another service's event skipped":    {[]types.Event{otherSource}, keyA, 0, 10, Own{}, nil},
	}
	for name, tc := range cases {
		for src, conv := range sourceConversions {
			t.Run(src+"/"+name, func(t *testing.T) {
				w := NewWatcher(nil, "111111111111", t0)
				w.covered = t0.Add(time.Hour) // no pass needed: the index is under test
				for _, e := range tc.events {
					w.add(conv(e))
				}
				checkFailures(t, w, tc.key, tc.since, tc.until, tc.own, tc.want)
			})
		}
	}
}

// sourceConversions deliver a LookupEvents event as each source would:
// as LookupEvents returns it, and as the EventBridge rule writes it to
// the log group (the record as detail, its resources as resources[].ARN).
var sourceConversions = map[string]func(types.Event) event{
	"cloudtrail": trailEvent,
	"eventbridge": func(e types.Event) event {
		return logEvent("le-"+aws.ToString(e.EventId), aws.ToTime(e.EventTime).UnixMilli(), bridgeMessage(e))
	},
}

// bridgeMessage is e as EventBridge delivers a CloudTrail record.
func bridgeMessage(e types.Event) string {
	detail := aws.ToString(e.CloudTrailEvent)
	var m map[string]any
	if json.Unmarshal([]byte(detail), &m) == nil {
		m["eventID"], m["eventTime"] = aws.ToString(e.EventId), aws.ToTime(e.EventTime).UTC().Format(time.RFC3339)
		var rs []map[string]any
		for _, r := range e.Resources {
			rs = append(rs, map[string]any{"ARN": aws.ToString(r.ResourceName), "accountId": "111111111111", "type": aws.ToString(r.ResourceType)})
		}
		m["resources"] = rs
		b, _ := json.Marshal(m)
		detail = string(b)
	}
	return `{"version":"0","id":"eb-` + aws.ToString(e.EventId) + `","detail-type":"AWS API Call via CloudTrail","source":"aws.kms",` +
		`"account":"111111111111","time":"` + aws.ToTime(e.EventTime).UTC().Format(time.RFC3339) + `","region":"eu-west-1","resources":[],"detail":` + detail + `}`
}

func checkFailures(t *testing.T, w *Watcher, key string, since, until int, own Own, want map[string]int) {
	t.Helper()
	fs, err := w.Failures(context.Background(), key, t0.Add(time.Duration(since)*time.Second), t0.Add(time.Duration(until)*time.Second), own)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range fs {
		got[f.Event+"|"+f.ErrorCode] += f.Count
		if f.Account != "111111111111" {
			t.Errorf("failure seen in %s, want the watcher's account", f.Account)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("failures %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("failures %v, want %v", got, want)
		}
	}
}

// TestWatcherForgetsOutsideWindow: event IDs older than the next window's
// start are dropped (the de-duplication set stays one window large); the
// failures themselves are kept.
func TestWatcherForgetsOutsideWindow(t *testing.T) {
	w := NewWatcher(nil, "111111111111", t0)
	w.add(trailEvent(ev("old", 1, app, "Decrypt", "IncorrectKeyException", []string{keyA}, nil)))
	w.add(trailEvent(ev("new", 9, app, "Decrypt", "IncorrectKeyException", []string{keyA}, nil)))
	w.forget(t0.Add(5 * time.Second))
	if _, ok := w.seen["old"]; ok {
		t.Fatal("the ID of an event before the window is still kept")
	}
	if _, ok := w.seen["new"]; !ok {
		t.Fatal("the ID of an event inside the window was dropped: a later overlapping window would count it twice")
	}
	if len(w.failed[keyA]) != 2 {
		t.Fatalf("%d failures kept for the key, want 2", len(w.failed[keyA]))
	}
}

func TestWatcherTooBusy(t *testing.T) {
	cases := map[string]struct {
		read    int
		spanSec float64
		max     float64
		want    bool
	}{
		"one page is no rate":           {50, 0.1, 50, false},
		"100 events over 10 s":          {100, 10, 50, false},
		"100 events over 1 s":           {100, 1, 50, true},
		"150 events over 3 s, at it":    {150, 3, 50, false},
		"all in the same second":        {100, 0, 50, true},
		"no rate limit":                 {1950, 1, 0, false},
		"40 pages, however slow":        {2000, 1e6, 50, true},
		"39 pages under the rate limit": {1950, 1e3, 50, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w := NewWatcher(nil, "111111111111", t0)
			w.MaxRate = tc.max
			oldest := t0.Add(-time.Duration(tc.spanSec * float64(time.Second)))
			if got := w.tooBusy(tc.read, (tc.read+49)/50, t0, oldest); got != tc.want {
				t.Fatalf("tooBusy(%d in %v s) = %v, want %v", tc.read, tc.spanSec, got, tc.want)
			}
		})
	}
}
