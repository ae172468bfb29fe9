package keyimport

import (
	"errors"
	"testing"
	"time"
)

func TestMinBits(t *testing.T) {
	cases := map[string]struct {
		bits int
		err  error
	}{
		"RSA_2048": {2048, nil}, "RSA_3072": {3072, nil}, "RSA_4096": {4096, nil},
		"RSA_1024": {0, ErrBadKeySpec}, "": {0, ErrBadKeySpec}, "rsa_4096": {0, ErrBadKeySpec},
	}
	for spec, tc := range cases {
		got, err := MinBits(spec)
		if got != tc.bits || !errors.Is(err, tc.err) {
			t.Errorf("MinBits(%q) = %d, %v; want %d, %v", spec, got, err, tc.bits, tc.err)
		}
	}
}

func TestParamsUsable(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	token := []byte("t")
	cases := map[string]struct {
		p    Params
		want bool
	}{
		"fresh":              {Params{ImportToken: token, ValidTo: now.Add(24 * time.Hour)}, true},
		"inside the margin":  {Params{ImportToken: token, ValidTo: now.Add(5 * time.Minute)}, false},
		"expired":            {Params{ImportToken: token, ValidTo: now.Add(-time.Minute)}, false},
		"no token":           {Params{ValidTo: now.Add(24 * time.Hour)}, false},
		"exactly the margin": {Params{ImportToken: token, ValidTo: now.Add(10 * time.Minute)}, false},
		"just past margin":   {Params{ImportToken: token, ValidTo: now.Add(10*time.Minute + time.Second)}, true},
	}
	for name, tc := range cases {
		if got := tc.p.Usable(now, 10*time.Minute); got != tc.want {
			t.Errorf("%s: Usable = %v, want %v", name, got, tc.want)
		}
	}
}
