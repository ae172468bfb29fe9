package faults

import (
	"errors"
	"testing"
	"time"
)

// TestAppliedValueIsEnforced drives the buckets on a fake clock: an applied
// value replaces the default in its account and Region only, higher or
// lower, and 0 restores the default.
func TestAppliedValueIsEnforced(t *testing.T) {
	clk := time.Unix(1_700_000_000, 0)
	in := New()
	in.now = func() time.Time { return clk }
	in.Register("kms", FromTable("kms"), nil)
	in.EnforceQuotas(true)
	burst := func(account string) int {
		n := 0
		for range 20 {
			if _, e := in.Decide("kms", "GetParametersForImport", account, "eu-west-1"); e == nil {
				n++
			}
		}
		return n
	}
	if n := burst("111111111111"); n != 1 {
		t.Fatalf("default 1/s admitted %d of a burst", n)
	}
	if err := in.SetApplied("111111111111", "eu-west-1", "kms", "GetParametersForImport", 5); err != nil {
		t.Fatal(err)
	}
	if n := burst("111111111111"); n != 5 {
		t.Fatalf("applied 5/s admitted %d of a burst", n)
	}
	if n := burst("222222222222"); n != 1 {
		t.Fatalf("another account admitted %d: applied values are per account", n)
	}
	if err := in.SetApplied("111111111111", "eu-west-1", "kms", "GetParametersForImport", 0.25); err != nil {
		t.Fatal(err)
	}
	if n := burst("111111111111"); n != 1 {
		t.Fatalf("applied 0.25/s admitted %d of a burst", n)
	}
	clk = clk.Add(2 * time.Second)
	if n := burst("111111111111"); n != 0 {
		t.Fatalf("0.25/s admitted %d after 2 s", n)
	}
	clk = clk.Add(2 * time.Second)
	if n := burst("111111111111"); n != 1 {
		t.Fatalf("0.25/s admitted %d after 4 s", n)
	}
}

func TestSetAppliedRejects(t *testing.T) {
	in := New()
	in.Register("kms", FromTable("kms"), nil)
	cases := map[string]struct {
		quota string
		v     float64
		want  error
	}{
		"unknown quota":  {"NoSuchQuota", 5, ErrUnknownQuota},
		"negative value": {"GetParametersForImport", -1, ErrBadQuotaValue},
		"reset":          {"GetParametersForImport", 0, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if err := in.SetApplied("1", "r", "kms", c.quota, c.v); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}
