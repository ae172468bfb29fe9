package backend

import (
	"errors"
	"strings"
	"testing"
)

// Which backend the aws variant gets, or which error, for each
// combination of the variables it reads.
func TestSelect(t *testing.T) {
	keys := map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := map[string]struct {
		env     map[string]string
		want    Selection
		wantErr error
	}{
		"nothing set":                     {env: nil, want: Selection{Kind: KindSandbox}},
		"disabled with credentials":       {env: with(keys, EnvEnable, "0", "AWS_PROFILE", "p"), want: Selection{Kind: KindSandbox}},
		"ambient endpoint, not enabled":   {env: with(nil, "AWS_ENDPOINT_URL", "http://127.0.0.1:4566"), want: Selection{Kind: KindSandbox}},
		"enable value not 1":              {env: with(keys, EnvEnable, "yes"), wantErr: ErrEnableValue},
		"enabled, no credentials":         {env: with(nil, EnvEnable, "1"), wantErr: ErrCredentials},
		"enabled, key ID without secret":  {env: with(nil, EnvEnable, "1", "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"), wantErr: ErrCredentials},
		"enabled, consumer profile only":  {env: with(nil, EnvEnable, "1", EnvConsumerProfile, "c"), wantErr: ErrCredentials},
		"conformance profile":             {env: with(nil, EnvEnable, "1", EnvProfile, "test"), want: Selection{Kind: KindAWS, Profile: "test", Region: DefaultRegion}},
		"AWS_PROFILE":                     {env: with(nil, EnvEnable, "1", "AWS_PROFILE", "ambient"), want: Selection{Kind: KindAWS, Profile: "ambient", Region: DefaultRegion}},
		"conformance profile wins":        {env: with(nil, EnvEnable, "1", EnvProfile, "test", "AWS_PROFILE", "ambient"), want: Selection{Kind: KindAWS, Profile: "test", Region: DefaultRegion}},
		"static keys":                     {env: with(keys, EnvEnable, "1"), want: Selection{Kind: KindAWS, Region: DefaultRegion}},
		"two accounts and a region":       {env: with(nil, EnvEnable, "1", EnvProfile, "s", EnvConsumerProfile, "c", EnvRegion, "us-east-1"), want: Selection{Kind: KindAWS, Profile: "s", ConsumerProfile: "c", Region: "us-east-1"}},
		"ambient endpoint refused":        {env: with(keys, EnvEnable, "1", "AWS_ENDPOINT_URL", "http://127.0.0.1:4566"), wantErr: ErrEndpoint},
		"endpoint acknowledged elsewhere": {env: with(keys, EnvEnable, "1", "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", EnvEndpoint, "http://127.0.0.1:9"), wantErr: ErrEndpoint},
		"endpoint acknowledged":           {env: with(keys, EnvEnable, "1", "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", EnvEndpoint, "http://127.0.0.1:4566"), want: Selection{Kind: KindAWS, Region: DefaultRegion, Endpoint: "http://127.0.0.1:4566"}},
		"endpoint named only by byok":     {env: with(keys, EnvEnable, "1", EnvEndpoint, "http://127.0.0.1:4566"), want: Selection{Kind: KindAWS, Region: DefaultRegion, Endpoint: "http://127.0.0.1:4566"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Select(func(k string) string { return tc.env[k] })
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("selection = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// The messages a person reads: the skip names the variables to set, the
// credentials error the profile variables.
func TestSelectMessages(t *testing.T) {
	for _, v := range []string{EnvEnable, EnvProfile, EnvConsumerProfile, EnvRegion, "docs/operations.md"} {
		if !strings.Contains(skipMessage(), v) {
			t.Errorf("skip message %q does not name %s", skipMessage(), v)
		}
	}
	if !strings.HasPrefix(ErrCredentials.Error(), "credentials missing: set AWS_PROFILE/"+EnvProfile) {
		t.Errorf("credentials error = %q", ErrCredentials)
	}
}
