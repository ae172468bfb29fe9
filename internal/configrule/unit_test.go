package configrule

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAnnotation(t *testing.T) {
	tests := map[string]struct {
		in, fallback string
		wantLen      int // in characters, as AWS counts
		wantPrefix   string
	}{
		"empty uses fallback": {"", "NON_COMPLIANT", 13, "NON_COMPLIANT"},
		"both empty":          {"", "", 1, "-"},
		"256 ascii kept":      {strings.Repeat("a", 256), "", 256, "aaa"},
		"257 ascii cut":       {strings.Repeat("a", 257), "", 256, "aaa"},
		"200 multibyte kept":  {strings.Repeat("€", 200), "", 200, "€€€"},
		"300 multibyte cut":   {strings.Repeat("€", 300), "", 256, "€€€"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Annotation(tc.in, tc.fallback)
			if utf8.RuneCountInString(got) != tc.wantLen || !utf8.ValidString(got) || !strings.HasPrefix(got, tc.wantPrefix) {
				t.Fatalf("Annotation = %q (%d characters)", got, utf8.RuneCountInString(got))
			}
		})
	}
}

func TestParseParams(t *testing.T) {
	tests := map[string]struct {
		in    string
		want  Params
		field string // "" when valid
	}{
		"empty":          {"", Params{}, ""},
		"strings":        {`{"maxKeyAgeDays":"90","expiryWarningDays":"7","estateS3Uri":"s3://b/byok.yaml"}`, Params{MaxKeyAge: 90 * day, ExpiryWarning: 7 * day, EstateS3URI: "s3://b/byok.yaml"}, ""},
		"numbers":        {`{"maxKeyAgeDays":365}`, Params{MaxKeyAge: 365 * day}, ""},
		"ssm":            {`{"estateSsmParameter":"/byok/estate"}`, Params{EstateSSMParam: "/byok/estate"}, ""},
		"not json":       {`maxKeyAgeDays=365`, Params{}, "ruleParameters"},
		"zero days":      {`{"maxKeyAgeDays":"0"}`, Params{}, "ruleParameters.maxKeyAgeDays"},
		"fraction":       {`{"expiryWarningDays":"1.5"}`, Params{}, "ruleParameters.expiryWarningDays"},
		"bad uri":        {`{"estateS3Uri":"https://b/k"}`, Params{}, "ruleParameters.estateS3Uri"},
		"bucket only":    {`{"estateS3Uri":"s3://b"}`, Params{}, "ruleParameters.estateS3Uri"},
		"both locations": {`{"estateS3Uri":"s3://b/k","estateSsmParameter":"/p"}`, Params{}, "ruleParameters"},
		"unknown":        {`{"maxAge":"1"}`, Params{}, "ruleParameters.maxAge"},
		"object value":   {`{"maxKeyAgeDays":{}}`, Params{}, "ruleParameters.maxKeyAgeDays"},
		"empty ssm":      {`{"estateSsmParameter":""}`, Params{}, "ruleParameters.estateSsmParameter"},
		"role name":      {`{"executionRoleName":"byok-config-rule-member"}`, Params{ExecutionRoleName: "byok-config-rule-member"}, ""},
		"role ARN":       {`{"executionRoleName":"arn:aws:iam::1:role/x"}`, Params{}, "ruleParameters.executionRoleName"},
		"role empty":     {`{"executionRoleName":""}`, Params{}, "ruleParameters.executionRoleName"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseParams(tc.in)
			if tc.field == "" {
				if err != nil || got != tc.want {
					t.Fatalf("ParseParams = %+v, %v", got, err)
				}
				return
			}
			var fe *FieldError
			if !errors.Is(err, ErrParameters) || !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want ErrParameters on %s", err, tc.field)
			}
		})
	}
}

func TestWithParamsLeavesCacheAlone(t *testing.T) {
	e := testEstate(t)
	orig := e.Policy
	got := withParams(e, Params{MaxKeyAge: 90 * day})
	if got.Policy.MaxMaterialAge != 90*day || got.Policy.ExpiryWarning != orig.ExpiryWarning || e.Policy != orig {
		t.Fatalf("policy = %+v, cached = %+v", got.Policy, e.Policy)
	}
	if withParams(e, Params{}) != e {
		t.Fatal("no parameters must return the estate itself")
	}
}
