package logssvc

import (
	"errors"
	"testing"
)

func TestPatternMatch(t *testing.T) {
	cases := map[string]struct {
		pattern, msg string
		want         bool
	}{
		"empty matches all":        {"", "anything", true},
		"term":                     {"AccessDenied", `{"errorCode":"AccessDeniedException"}`, true},
		"term absent":              {"Disabled", `{"errorCode":"AccessDeniedException"}`, false},
		"case-sensitive":           {"accessdenied", "AccessDenied", false},
		"all terms":                {"ERROR Exception", "ERROR: NullException", true},
		"one term missing":         {"ERROR Exception", "ERROR: null", false},
		"quoted with space":        {`"Decrypt failed"`, "kms Decrypt failed", true},
		"quoted with escape":       {`"\"readOnly\":true"`, `{"readOnly":true}`, true},
		"exclusion":                {"ERROR -Exiting", "ERROR Exiting", false},
		"exclusion passes":         {"ERROR -Exiting", "ERROR x", true},
		"alternatives":             {"?ERROR ?WARN", "WARN: x", true},
		"alternatives none":        {"?ERROR ?WARN", "INFO", false},
		"exclusion only":           {"-INFO", "WARN", true},
		"alternative and excluded": {"?a ?b -c", "a c", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := ParsePattern(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Match(tc.msg); got != tc.want {
				t.Fatalf("Match(%q) = %v", tc.msg, got)
			}
		})
	}
}

func TestPatternRefused(t *testing.T) {
	for name, p := range map[string]string{
		"json regex":          `{ $.errorCode = %Access.*% }`,
		"json no operator":    `{ $.errorCode }`,
		"json bad selector":   `{ errorCode = "x" }`,
		"json wildcard index": `{ $.a[*] = "x" }`,
		"json unbalanced":     `{ ($.a = "x" }`,
		"json less string":    `{ $.a < "x" }`,
		"json dangling and":   `{ $.a = "x" && }`,
		"space-delimited":     `[ip, user, status=500]`,
		"regex":               `%ERROR|WARN%`,
		"unterminated":        `"abc`,
		"empty quoted":        `""`,
		"bare operator":       `?`,
		"punctuation":         `a=b`,
		"mixed ? and term":    `?a b`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParsePattern(p); !errors.Is(err, ErrPattern) {
				t.Fatalf("ParsePattern(%q) = %v, want ErrPattern", p, err)
			}
		})
	}
}

func TestJSONPatternMatch(t *testing.T) {
	msg := `{"source":"aws.kms","detail":{"eventName":"Decrypt","errorCode":"AccessDenied","readOnly":true,"n":5,` +
		`"responseElements":null,"resources":[{"ARN":"arn:aws:kms:eu-west-1:111111111111:key/k1"}]}}`
	cases := map[string]bool{
		`{ $.detail.errorCode = "AccessDenied" }`:                        true,
		`{ $.detail.errorCode = AccessDenied }`:                          true,
		`{ $.detail.errorCode = "Access*" }`:                             true,
		`{ $.detail.errorCode != "AccessDenied" }`:                       false,
		`{ $.detail.errorCode = "Disabled*" }`:                           false,
		`{ $.detail.resources[0].ARN = "arn:aws:kms:*:key/k1" }`:         true,
		`{ $.detail.resources[1].ARN = "*" }`:                            false,
		`{ $.detail.n >= 5 && $.detail.n < 6 }`:                          true,
		`{ $.detail.n = 4 || $.detail.eventName = "Decrypt" }`:           true,
		`{ ($.detail.n = 4 || $.detail.n = 6) && $.source = "aws.kms" }`: false,
		`{ $.detail.responseElements IS NULL }`:                          true,
		`{ $.detail.readOnly IS TRUE }`:                                  true,
		`{ $.detail.readOnly IS FALSE }`:                                 false,
		`{ $.detail.missing NOT EXISTS }`:                                true,
		`{ $.detail.errorCode NOT EXISTS }`:                              false,
		`{ $.detail.missing != "x" }`:                                    false,
		`{ $.detail.n = "5" }`:                                           false,
	}
	for pattern, want := range cases {
		p, err := ParsePattern(pattern)
		if err != nil {
			t.Fatalf("%s: %v", pattern, err)
		}
		if got := p.Match(msg); got != want {
			t.Errorf("%s = %v, want %v", pattern, got, want)
		}
		if p.Match("AccessDenied, not JSON") {
			t.Errorf("%s matched a message that is not JSON", pattern)
		}
	}
}

func TestResourcePolicyEvaluation(t *testing.T) {
	doc := `{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},
	  "Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:eu-west-1:111111111111:log-group:/byok/*:*",
	  "Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:events:eu-west-1:111111111111:rule/byok"}}},
	 {"Effect":"Deny","Principal":"*","Action":"logs:*","Resource":"arn:aws:logs:eu-west-1:111111111111:log-group:/byok/secret:*"}]}`
	p, err := parsePolicy(doc)
	if err != nil {
		t.Fatal(err)
	}
	stream := "arn:aws:logs:eu-west-1:111111111111:log-group:/byok/kms-failed-calls:log-stream:abc"
	rule := map[string]string{"aws:sourcearn": "arn:aws:events:eu-west-1:111111111111:rule/byok"}
	cases := map[string]struct {
		r    request
		want bool
	}{
		"allowed":          {request{"events.amazonaws.com", "logs:PutLogEvents", stream, rule}, true},
		"action case":      {request{"events.amazonaws.com", "Logs:putlogevents", stream, rule}, true},
		"other principal":  {request{"delivery.logs.amazonaws.com", "logs:PutLogEvents", stream, rule}, false},
		"other action":     {request{"events.amazonaws.com", "logs:DeleteLogGroup", stream, rule}, false},
		"other group":      {request{"events.amazonaws.com", "logs:PutLogEvents", "arn:aws:logs:eu-west-1:111111111111:log-group:/app:log-stream:a", rule}, false},
		"other source":     {request{"events.amazonaws.com", "logs:PutLogEvents", stream, map[string]string{"aws:sourcearn": "arn:aws:events:eu-west-1:111111111111:rule/x"}}, false},
		"explicit deny":    {request{"events.amazonaws.com", "logs:PutLogEvents", "arn:aws:logs:eu-west-1:111111111111:log-group:/byok/secret:log-stream:a", rule}, false},
		"no source at all": {request{"events.amazonaws.com", "logs:PutLogEvents", stream, nil}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := allows([]policyDoc{p}, tc.r); got != tc.want {
				t.Fatalf("allows = %v", got)
			}
		})
	}
}
