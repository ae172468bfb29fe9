package logssvc

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzRequests: no FilterLogEvents or PutLogEvents body makes a decoder
// panic; an accepted filter has a sane limit and time range, an accepted
// batch is chronological and within AWS's limits, and every refusal is an
// AWS-shaped error code.
func FuzzRequests(f *testing.F) {
	for _, s := range []string{
		`{"logGroupName":"g","filterPattern":"AccessDenied -Decrypt","startTime":1,"endTime":2,"limit":5}`,
		`{"logGroupIdentifier":"arn:aws:logs:eu-west-1:111111111111:log-group:g:*","logStreamNames":["a","b"]}`,
		`{"filterPattern":"{ $.errorCode = \"x\" }"}`,
		`{"filterPattern":"?a ?\"b c\""}`,
		`{"nextToken":"bG9ncy1wb3M6YWJjOjE6Mg","limit":0}`,
		`{"logEvents":[{"timestamp":2,"message":"a"},{"timestamp":1,"message":"b"}]}`,
		`{"logEvents":[{"timestamp":1,"message":""}]}`,
		`{"startTime":-1}`, `[`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if _, q, err := decodeFilter([]byte(body)); err == nil {
			if q.limit < 1 || q.limit > MaxFilterLimit || q.end < q.start || q.start < 0 {
				t.Fatalf("accepted filter %s: %+v", body, q)
			}
		} else if err.Code != "InvalidParameterException" && err.Code != "SerializationException" {
			t.Fatalf("filter error code %q", err.Code)
		}
		var in putIn
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		if err := checkBatch(in.LogEvents); err == nil {
			size := 0
			for i, e := range in.LogEvents {
				if i > 0 && e.Timestamp < in.LogEvents[i-1].Timestamp {
					t.Fatalf("accepted an unordered batch")
				}
				size += len(e.Message) + EventOverhead
			}
			if size > MaxBatchBytes || len(in.LogEvents) == 0 {
				t.Fatalf("accepted a batch of %d bytes, %d events", size, len(in.LogEvents))
			}
		}
	})
}

// FuzzPattern: a pattern either parses or is refused with ErrPattern, and a
// parsed pattern's plain terms all occur in any message it matches.
func FuzzPattern(f *testing.F) {
	f.Add("AccessDenied", "x AccessDenied y")
	f.Add(`"a b" -c ?d`, "a b d")
	f.Add(`?ERROR ?WARN`, "WARN: x")
	f.Add(`"unterminated`, "")
	f.Add(`{ $.a = 1 }`, `{"a":1}`)
	f.Add(`{ ($.a.b[0] = "x*" || $.c IS NULL) && $.d NOT EXISTS }`, `{"a":{"b":["xy"]},"c":null}`)
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		p, err := ParsePattern(pattern)
		if err != nil {
			if !errors.Is(err, ErrPattern) {
				t.Fatalf("error %v does not wrap ErrPattern", err)
			}
			return
		}
		if !p.Match(msg) {
			return
		}
		if p.json != nil && decodeMessage(msg) == nil {
			t.Fatalf("JSON pattern %q matched %q, which is not a JSON object", pattern, msg)
		}
		for _, term := range p.all {
			if !strings.Contains(msg, term) {
				t.Fatalf("%q matched %q without term %q", pattern, msg, term)
			}
		}
		for _, term := range p.none {
			if strings.Contains(msg, term) {
				t.Fatalf("%q matched %q despite excluded %q", pattern, msg, term)
			}
		}
	})
}
