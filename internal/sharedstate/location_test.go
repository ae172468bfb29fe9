package sharedstate_test

import (
	"errors"
	"testing"

	"github.com/byok-dev/byok/internal/sharedstate"
)

func TestParseLocation(t *testing.T) {
	cases := map[string]struct {
		in      string
		want    sharedstate.Location
		wantErr error
	}{
		"bucket and prefix":   {"s3://byok-state/prod/eu", sharedstate.Location{Bucket: "byok-state", Prefix: "prod/eu"}, nil},
		"bucket only":         {"s3://byok-state", sharedstate.Location{Bucket: "byok-state"}, nil},
		"trailing slash":      {"s3://byok-state/prod/", sharedstate.Location{Bucket: "byok-state", Prefix: "prod"}, nil},
		"not s3":              {"https://byok-state/prod", sharedstate.Location{}, sharedstate.ErrBadLocation},
		"uppercase bucket":    {"s3://Byok/prod", sharedstate.Location{}, sharedstate.ErrBadLocation},
		"empty bucket":        {"s3:///prod", sharedstate.Location{}, sharedstate.ErrBadLocation},
		"dot-dot segment":     {"s3://byok-state/a/../b", sharedstate.Location{}, sharedstate.ErrBadLocation},
		"empty segment":       {"s3://byok-state/a//b", sharedstate.Location{}, sharedstate.ErrBadLocation},
		"short bucket":        {"s3://ab", sharedstate.Location{}, sharedstate.ErrBadLocation},
		"bucket with dot-dot": {"s3://a..b/x", sharedstate.Location{}, sharedstate.ErrBadLocation},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := sharedstate.ParseLocation(tc.in)
			if !errors.Is(err, tc.wantErr) || got != tc.want {
				t.Fatalf("ParseLocation(%q) = %+v, %v", tc.in, got, err)
			}
			if err == nil {
				again, err := sharedstate.ParseLocation(got.String())
				if err != nil || again != got {
					t.Fatalf("round trip %q: %+v %v", got.String(), again, err)
				}
			}
		})
	}
}

func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{"s3://byok-state/prod", "s3://b.c-d/x/y/", "s3://", "s3://a..b", "s3://bucket/../x", "gs://x/y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := sharedstate.ParseLocation(s)
		if err != nil {
			if !errors.Is(err, sharedstate.ErrBadLocation) {
				t.Fatalf("%q: unexpected error kind %v", s, err)
			}
			return
		}
		again, err := sharedstate.ParseLocation(l.String())
		if err != nil || again != l {
			t.Fatalf("%q → %q → %+v %v", s, l.String(), again, err)
		}
	})
}
