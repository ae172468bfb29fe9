package eventpattern

import (
	"errors"
	"testing"
)

// ec2Event is the EC2 state-change event of EventBridge's "event patterns"
// documentation, with the extra detail fields its examples filter on.
const ec2Event = `{
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0", "arn:aws:ec2:us-west-1:123456789012:volume/v-1"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated", "c-count": 5, "d-count": 3, "x-limit": 301.8,
    "source-ip": "10.0.0.123", "FileName": "photo.PNG", "responseElements": null, "errorMessage": "",
    "nested": {"list": [{"k": "a"}, {"k": "b"}]}}
}`

// kmsEvent is a CloudTrail KMS call as EventBridge delivers it.
const kmsEvent = `{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.kms","account":"111111111111",
  "time":"2026-01-01T00:00:00Z","region":"eu-west-1","resources":[],
  "detail":{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","readOnly":true,"errorCode":"AccessDenied"}}`

func TestMatch(t *testing.T) {
	cases := map[string]struct {
		event, pattern string
		want           bool
	}{
		"exact source":                 {ec2Event, `{"source":["aws.ec2"]}`, true},
		"exact other source":           {ec2Event, `{"source":["aws.s3"]}`, false},
		"one of several values":        {ec2Event, `{"detail":{"state":["running","terminated"]}}`, true},
		"nested and top level":         {ec2Event, `{"source":["aws.ec2"],"detail":{"state":["running"]}}`, false},
		"missing field":                {ec2Event, `{"detail":{"nope":["x"]}}`, false},
		"array any element":            {ec2Event, `{"resources":["arn:aws:ec2:us-west-1:123456789012:volume/v-1"]}`, true},
		"array no element":             {ec2Event, `{"resources":["arn:aws:ec2:us-west-1:123456789012:volume/v-2"]}`, false},
		"prefix":                       {ec2Event, `{"time":[{"prefix":"2017-12-22"}]}`, true},
		"prefix no":                    {ec2Event, `{"time":[{"prefix":"2018"}]}`, false},
		"prefix ignore case":           {ec2Event, `{"detail":{"state":[{"prefix":{"equals-ignore-case":"TERM"}}]}}`, true},
		"suffix":                       {ec2Event, `{"detail":{"FileName":[{"suffix":".PNG"}]}}`, true},
		"suffix case-sensitive":        {ec2Event, `{"detail":{"FileName":[{"suffix":".png"}]}}`, false},
		"suffix ignore case":           {ec2Event, `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, true},
		"equals-ignore-case":           {ec2Event, `{"detail":{"state":[{"equals-ignore-case":"TERMINATED"}]}}`, true},
		"anything-but value":           {ec2Event, `{"detail":{"state":[{"anything-but":"initializing"}]}}`, true},
		"anything-but excluded":        {ec2Event, `{"detail":{"state":[{"anything-but":["stopped","terminated"]}]}}`, false},
		"anything-but prefix":          {ec2Event, `{"detail":{"state":[{"anything-but":{"prefix":"term"}}]}}`, false},
		"anything-but suffix":          {ec2Event, `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, true},
		"anything-but missing field":   {ec2Event, `{"detail":{"nope":[{"anything-but":"x"}]}}`, false},
		"numeric range":                {ec2Event, `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, true},
		"numeric out of range":         {ec2Event, `{"detail":{"d-count":[{"numeric":["<",3]}]}}`, false},
		"numeric equal float":          {ec2Event, `{"detail":{"x-limit":[{"numeric":["=",301.8]}]}}`, true},
		"numeric on string":            {ec2Event, `{"detail":{"state":[{"numeric":[">",0]}]}}`, false},
		"number exact as number":       {ec2Event, `{"detail":{"c-count":[5.0]}}`, true},
		"number not string":            {ec2Event, `{"detail":{"c-count":["5"]}}`, false},
		"exists true":                  {ec2Event, `{"detail":{"c-count":[{"exists":true}]}}`, true},
		"exists false on present":      {ec2Event, `{"detail":{"c-count":[{"exists":false}]}}`, false},
		"exists false on missing":      {ec2Event, `{"detail":{"nope":[{"exists":false}]}}`, true},
		"exists true on missing":       {ec2Event, `{"detail":{"nope":[{"exists":true}]}}`, false},
		"exists on object":             {ec2Event, `{"detail":{"nested":[{"exists":true}]}}`, false},
		"null":                         {ec2Event, `{"detail":{"responseElements":[null]}}`, true},
		"null is not missing":          {ec2Event, `{"detail":{"nope":[null]}}`, false},
		"empty string":                 {ec2Event, `{"detail":{"errorMessage":[""]}}`, true},
		"wildcard":                     {ec2Event, `{"resources":[{"wildcard":"arn:aws:ec2:*:instance/*"}]}`, true},
		"wildcard no":                  {ec2Event, `{"resources":[{"wildcard":"arn:aws:s3:*"}]}`, false},
		"nested object in array":       {ec2Event, `{"detail":{"nested":{"list":{"k":["b"]}}}}`, true},
		"or first":                     {ec2Event, `{"source":["aws.ec2"],"$or":[{"detail":{"c-count":[{"numeric":[">",4]}]}},{"detail":{"d-count":[{"numeric":["<",1]}]}}]}`, true},
		"or none":                      {ec2Event, `{"$or":[{"detail":{"c-count":[{"numeric":[">",9]}]}},{"detail":{"d-count":[{"numeric":["<",1]}]}}]}`, false},
		"byok rule":                    {kmsEvent, `{"source":["aws.kms"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"errorCode":[{"exists":true}]}}`, true},
		"byok rule on success":         {`{"source":"aws.kms","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"Decrypt"}}`, `{"source":["aws.kms"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"errorCode":[{"exists":true}]}}`, false},
		"boolean":                      {kmsEvent, `{"detail":{"readOnly":[true]}}`, true},
		"boolean not string":           {kmsEvent, `{"detail":{"readOnly":["true"]}}`, false},
		"object pattern on leaf value": {kmsEvent, `{"source":{"x":["aws.kms"]}}`, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := Parse(tc.pattern)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, err := p.Match([]byte(tc.event))
			if err != nil || got != tc.want {
				t.Fatalf("match = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"not json":             `{"source":`,
		"not an object":        `["aws.ec2"]`,
		"empty":                `{}`,
		"scalar leaf":          `{"source":"aws.ec2"}`,
		"empty array":          `{"source":[]}`,
		"empty nested":         `{"detail":{}}`,
		"unknown filter":       `{"source":[{"contains":"ec2"}]}`,
		"two keys in filter":   `{"source":[{"prefix":"a","suffix":"b"}]}`,
		"prefix not string":    `{"source":[{"prefix":5}]}`,
		"numeric bad op":       `{"n":[{"numeric":["!=",5]}]}`,
		"numeric odd length":   `{"n":[{"numeric":[">"]}]}`,
		"numeric bad range":    `{"n":[{"numeric":["<",5,">",1]}]}`,
		"exists not bool":      `{"n":[{"exists":"yes"}]}`,
		"anything-but nested":  `{"n":[{"anything-but":[{"prefix":"a"}]}]}`,
		"anything-but numeric": `{"n":[{"anything-but":{"numeric":[">",1]}}]}`,
		"wildcard double star": `{"n":[{"wildcard":"a**b"}]}`,
		"cidr refused":         `{"n":[{"cidr":"10.0.0.0/24"}]}`,
		"or of one":            `{"$or":[{"a":["b"]}]}`,
		"array element array":  `{"a":[["b"]]}`,
		"trailing data":        `{"a":["b"]} {}`,
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(doc)
			var pe *Error
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &pe) || pe.Reason == "" {
				t.Fatalf("Parse(%s) = %v, want an *Error wrapping ErrInvalid", doc, err)
			}
		})
	}
}

// FuzzPattern: no pattern or event makes Parse or Match panic; a pattern
// that parses matches deterministically, and one that fails is an *Error.
func FuzzPattern(f *testing.F) {
	f.Add(`{"source":["aws.kms"],"detail":{"errorCode":[{"exists":true}]}}`, kmsEvent)
	f.Add(`{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"state":[{"anything-but":{"prefix":"t"}}]}}`, ec2Event)
	f.Add(`{"$or":[{"a":[null]},{"b":[{"wildcard":"x*y"}]}]}`, `{"a":null,"b":"xzy"}`)
	f.Add(`{"a":[{"prefix":{"equals-ignore-case":"X"}}]}`, `{"a":["x1",2,{"b":3}]}`)
	f.Add(`{"a":1}`, `[]`)
	f.Fuzz(func(t *testing.T, pattern, event string) {
		p, err := Parse(pattern)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("parse error %v is not an *Error", err)
			}
			return
		}
		a, errA := p.Match([]byte(event))
		b, errB := p.Match([]byte(event))
		if a != b || (errA == nil) != (errB == nil) {
			t.Fatalf("non-deterministic match")
		}
	})
}

// TestMatchValueFloat64: events decoded without UseNumber (float64
// numbers) match numeric and exact-number patterns the same way.
func TestMatchValueFloat64(t *testing.T) {
	ev := map[string]any{"detail": map[string]any{"n": float64(5), "s": "5"}}
	for pattern, want := range map[string]bool{
		`{"detail":{"n":[5]}}`:                         true,
		`{"detail":{"n":[{"numeric":[">",4,"<",6]}]}}`: true,
		`{"detail":{"n":["5"]}}`:                       false,
		`{"detail":{"s":[5]}}`:                         false,
	} {
		p, err := Parse(pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.MatchValue(ev); got != want {
			t.Errorf("%s = %v, want %v", pattern, got, want)
		}
	}
}
