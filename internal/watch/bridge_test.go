package watch

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const bridgeOK = `{"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.kms","account":"111111111111",` +
	`"time":"2026-12-05T23:00:07Z","region":"eu-west-1","resources":[],"detail":{"eventVersion":"1.08","eventID":"ct-1",` +
	`"eventTime":"2026-12-05T23:00:05Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","errorCode":"AccessDeniedException",` +
	`"requestID":"r1","userIdentity":{"arn":"` + app + `"},"requestParameters":{"keyId":"` + keyB + `"},` +
	`"resources":[{"accountId":"111111111111","type":"AWS::KMS::Key","ARN":"` + keyA + `"}]}}`

func TestParseBridgeEvent(t *testing.T) {
	b, err := parseBridgeEvent([]byte(bridgeOK))
	if err != nil {
		t.Fatal(err)
	}
	if b.id != "ct-1" || !b.at.Equal(t0.Add(5*time.Second)) || len(b.resources) != 1 || b.resources[0] != keyA ||
		b.rec.ErrorCode != "AccessDeniedException" || b.rec.UserIdentity.ARN != app || b.rec.RequestParameters.KeyID != keyB {
		t.Fatalf("parsed %+v", b)
	}
	if got := keysOf(b.event(time.Time{})); len(got) != 2 {
		t.Fatalf("keys %v, want the resource and the keyId", got)
	}
}

func TestParseBridgeEventTime(t *testing.T) {
	noEventTime := strings.Replace(bridgeOK, `"eventTime":"2026-12-05T23:00:05Z",`, "", 1)
	b, err := parseBridgeEvent([]byte(noEventTime))
	if err != nil || !b.at.Equal(t0.Add(7*time.Second)) {
		t.Fatalf("without eventTime: at %v, %v; want the envelope's time", b.at, err)
	}
	noTimes := strings.Replace(noEventTime, `"time":"2026-12-05T23:00:07Z",`, "", 1)
	b, err = parseBridgeEvent([]byte(noTimes))
	if err != nil || !b.event(t0).at.Equal(t0) {
		t.Fatalf("without times: %v, %v; want the log event's timestamp", b.at, err)
	}
}

func TestParseBridgeEventErrors(t *testing.T) {
	cases := map[string]struct{ msg, reason string }{
		"not json":           {`{"source":`, "not a JSON object"},
		"array":              {`[1]`, "not a JSON object"},
		"plain text":         {`Decrypt failed`, "not a JSON object"},
		"other source":       {strings.Replace(bridgeOK, `"aws.kms"`, `"aws.s3"`, 1), "source"},
		"other detail type":  {strings.Replace(bridgeOK, `AWS API Call via CloudTrail`, `AWS Console Sign In via CloudTrail`, 1), "detail-type"},
		"detail missing":     {`{"source":"aws.kms","detail-type":"AWS API Call via CloudTrail"}`, "not a CloudTrail record"},
		"detail null":        {`{"source":"aws.kms","detail-type":"AWS API Call via CloudTrail","detail":null}`, "not a CloudTrail record"},
		"detail string":      {`{"source":"aws.kms","detail-type":"AWS API Call via CloudTrail","detail":"x"}`, "not a CloudTrail record"},
		"error code numeric": {strings.Replace(bridgeOK, `"errorCode":"AccessDeniedException"`, `"errorCode":7`, 1), "not a CloudTrail record"},
		"no event id":        {strings.Replace(bridgeOK, `"eventID":"ct-1",`, "", 1), "no eventID"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := parseBridgeEvent([]byte(tc.msg))
			var me *BridgeMessageError
			if !errors.Is(err, ErrBridgeMessage) || !errors.As(err, &me) || !strings.Contains(me.Reason, tc.reason) {
				t.Fatalf("error %v, want ErrBridgeMessage with reason %q", err, tc.reason)
			}
		})
	}
}

// FuzzParseBridgeEvent: no message panics; a parsed one has its eventID,
// an error is always a *BridgeMessageError, and a message the watcher
// indexes is filed only under key ARNs, once however often delivered.
func FuzzParseBridgeEvent(f *testing.F) {
	f.Add([]byte(bridgeOK))
	f.Add([]byte(`{"source":"aws.kms","detail-type":"AWS API Call via CloudTrail","detail":{"eventID":"x","resources":null}}`))
	f.Add([]byte(`{"source":"aws.kms","detail-type":"AWS API Call via CloudTrail","detail":{"eventID":"x","errorCode":"E","resources":[{"ARN":7}]}}`))
	f.Add([]byte(`{"source":"aws.kms","detail-type":"AWS API Call via CloudTrail","time":"not a time","detail":{"eventID":"x","eventTime":"2026-13-01T00:00:00Z"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		b, err := parseBridgeEvent(msg)
		if err != nil {
			var me *BridgeMessageError
			if !errors.As(err, &me) {
				t.Fatalf("error %T %v, want *BridgeMessageError", err, err)
			}
			return
		}
		if b.id == "" {
			t.Fatal("parsed without an eventID")
		}
		w := NewLogWatcher(nil, "/g", "111111111111", t0)
		w.add(b.event(t0))
		w.add(b.event(t0))
		for arn, calls := range w.failed {
			if !isKeyARN(arn) || len(calls) != 1 || calls[0].rec.ErrorCode == "" {
				t.Fatalf("under %q: %+v", arn, calls)
			}
		}
	})
}
