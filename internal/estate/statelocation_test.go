package estate

import (
	"errors"
	"testing"
)

func TestStateLocation(t *testing.T) {
	cases := map[string]struct {
		line    string
		want    string
		wantErr error
	}{
		"bucket and prefix": {`state_location: "s3://byok-state-111111111111/prod"`, "s3://byok-state-111111111111/prod", nil},
		"bucket only":       {`state_location: s3://byok-state`, "s3://byok-state", nil},
		"not s3":            {`state_location: /var/lib/byok`, "", ErrStateLocation},
		"uppercase bucket":  {`state_location: s3://Byok-State/prod`, "", ErrStateLocation},
		"dot-dot prefix":    {`state_location: s3://byok-state/a/../b`, "", ErrStateLocation},
		"empty segment":     {`state_location: s3://byok-state/a//b`, "", ErrStateLocation},
		"not a string":      {`state_location: [s3://byok-state]`, "", ErrType},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e, err := Parse("byok.yaml", []byte(withLines(nil, tc.line)))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err == nil && e.StateLocation != tc.want {
				t.Fatalf("StateLocation = %q", e.StateLocation)
			}
		})
	}
}
