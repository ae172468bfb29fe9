package eventssvc

import (
	"encoding/json"
	"testing"
)

// FuzzRequests: no PutRule, PutTargets or TestEventPattern body makes a
// decoder panic; refusals carry EventBridge's error codes, and an accepted
// rule has a parsed pattern and a known state.
func FuzzRequests(f *testing.F) {
	for _, s := range []string{
		`{"Name":"r","EventPattern":"{\"source\":[\"aws.kms\"]}","State":"ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"}`,
		`{"Name":"r","ScheduleExpression":"rate(1 minute)"}`,
		`{"Name":"r","EventPattern":"{\"a\":[{\"numeric\":[\">\",1,\"<\",2]}]}","State":"NOPE"}`,
		`{"EventPattern":"{\"source\":[\"aws.kms\"]}","Event":"{\"id\":\"1\",\"account\":\"1\",\"source\":\"aws.kms\",\"time\":\"t\",\"region\":\"r\",\"detail-type\":\"d\"}"}`,
		`{"Rule":"r","Targets":[{"Id":"a","Arn":"arn:aws:logs:eu-west-1:1:log-group:g","Input":"x"}]}`,
		`[`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var in putRuleIn
		if json.Unmarshal([]byte(body), &in) == nil {
			p, err := in.check()
			switch {
			case err == nil && (p == nil || (in.State != "" && !enabled(in.State) && in.State != StateDisabled)):
				t.Fatalf("accepted rule %+v", in)
			case err != nil && err.Code != "ValidationException" && err.Code != "InvalidEventPatternException":
				t.Fatalf("PutRule error code %q", err.Code)
			}
		}
		if _, _, err := decodeTestPattern([]byte(body)); err != nil {
			switch err.Code {
			case "ValidationException", "InvalidEventPatternException", "SerializationException":
			default:
				t.Fatalf("TestEventPattern error code %q", err.Code)
			}
		}
		var pt putTargetsIn
		if json.Unmarshal([]byte(body), &pt) == nil {
			for _, tg := range pt.Targets {
				if checkTarget(tg) == "" && (tg.ID == "" || tg.Input != "") {
					t.Fatalf("accepted target %+v", tg)
				}
			}
		}
	})
}
