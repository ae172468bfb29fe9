package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCreateRunWithRequest(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		keys []RequestKey
		want error
	}{
		"two keys":      {[]RequestKey{{Alias: "alias/a", Region: "eu-west-1"}, {Alias: "alias/b", Region: "eu-west-1"}}, nil},
		"no key":        {nil, ErrInvalid},
		"no region":     {[]RequestKey{{Alias: "alias/a"}}, ErrInvalid},
		"duplicate key": {[]RequestKey{{Alias: "alias/a", Region: "r"}, {Alias: "alias/a", Region: "r"}}, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, _ := openTemp(t)
			r := testRun(t)
			r.Selector = `{"due":true}`
			err := s.CreateRunWithRequest(ctx, r, tc.keys)
			if name == "duplicate key" {
				if err == nil {
					t.Fatal("a request naming a key twice was recorded")
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err != nil {
				// all or nothing: no run without its request
				if _, gerr := s.GetRun(ctx, r.ID); !errors.Is(gerr, ErrNotFound) {
					t.Fatalf("failed request left the run behind: %v", gerr)
				}
				return
			}
			got, err := s.ListRequestKeys(ctx, r.ID)
			if err != nil || len(got) != len(tc.keys) {
				t.Fatalf("request: %+v, %v", got, err)
			}
			for _, k := range got {
				if k.Admission != AdmissionPending {
					t.Errorf("%s: %s, want pending", k.Alias, k.Admission)
				}
			}
			if run, _ := s.GetRun(ctx, r.ID); run.Selector != r.Selector {
				t.Errorf("selector %q, want %q", run.Selector, r.Selector)
			}
		})
	}
}

func TestAdmitRequestKey(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		before func(s *Store, a, b Run) error // b is the run admitting keyA
		want   error
		admit  Admission // keyA's admission in b afterwards
	}{
		"free key": {func(*Store, Run, Run) error { return nil }, nil, AdmissionAdmitted},
		"again (resume)": {func(s *Store, _, b Run) error {
			return s.AdmitRequestKey(ctx, b.ID, "alias/a", "r", keyA)
		}, nil, AdmissionAdmitted},
		"locked by an unfinished run": {func(s *Store, a, _ Run) error {
			return s.AcquireKeyLock(ctx, keyA, a.ID)
		}, ErrLocked, AdmissionPending},
		"lock of a finished run is stale": {func(s *Store, a, _ Run) error {
			if err := s.AcquireKeyLock(ctx, keyA, a.ID); err != nil {
				return err
			}
			return s.SetRunStatus(ctx, a.ID, StatusSucceeded, "")
		}, nil, AdmissionAdmitted},
		"already refused": {func(s *Store, _, b Run) error {
			return s.DecideRequestKey(ctx, b.ID, "alias/a", "r", AdmissionRefused, "not external", keyA)
		}, ErrInvalid, AdmissionRefused},
		"not requested": {func(s *Store, _, b Run) error { return nil }, ErrNotFound, AdmissionUnknown},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, _ := openTemp(t)
			a, b := testRun(t), testRun(t)
			b.ID = NewRunID(t0.Add(time.Minute))
			if err := s.CreateRun(ctx, a); err != nil {
				t.Fatal(err)
			}
			alias := "alias/a"
			if name == "not requested" {
				alias = "alias/other"
			}
			if err := s.CreateRunWithRequest(ctx, b, []RequestKey{{Alias: alias, Region: "r"}}); err != nil {
				t.Fatal(err)
			}
			if err := tc.before(s, a, b); err != nil {
				t.Fatal(err)
			}
			err := s.AdmitRequestKey(ctx, b.ID, "alias/a", "r", keyA)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			rqs, _ := s.ListRequestKeys(ctx, b.ID)
			got := AdmissionUnknown
			for _, rq := range rqs {
				if rq.Alias == "alias/a" {
					got = rq.Admission
				}
			}
			if got != tc.admit {
				t.Fatalf("admission %s, want %s", got, tc.admit)
			}
			_, rkErr := s.GetRunKey(ctx, b.ID, keyA)
			if (got == AdmissionAdmitted) != (rkErr == nil) {
				t.Fatalf("admitted %v but run key: %v (admission and run key must be one transaction)", got, rkErr)
			}
		})
	}
}

func TestDecideRequestKeyRefusesOtherAdmissions(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	r := testRun(t)
	if err := s.CreateRunWithRequest(ctx, r, []RequestKey{{Alias: "alias/a", Region: "r"}}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []Admission{AdmissionUnknown, AdmissionPending, AdmissionAdmitted} {
		if err := s.DecideRequestKey(ctx, r.ID, "alias/a", "r", a, "x", ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("decide %s: %v, want ErrInvalid", a, err)
		}
	}
	if err := s.DecideRequestKey(ctx, r.ID, "alias/a", "r", AdmissionSkipped, "not due", keyA); err != nil {
		t.Fatal(err)
	}
	rqs, err := s.ListRequestKeys(ctx, r.ID)
	if err != nil || rqs[0].Admission != AdmissionSkipped || rqs[0].Reason != "not due" || rqs[0].KeyARN != keyA {
		t.Fatalf("%+v %v", rqs, err)
	}
}

func TestParseAdmission(t *testing.T) {
	for a := AdmissionPending; a <= AdmissionSkipped; a++ {
		if got, err := ParseAdmission(a.String()); err != nil || got != a {
			t.Errorf("%s: %v %v", a, got, err)
		}
	}
	for _, bad := range []string{"", "Admission(0)", "ADMITTED"} {
		if _, err := ParseAdmission(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v, want ErrInvalid", bad, err)
		}
	}
}

// TestAdmitCopiesMaterial: a re-import request's material and HSM label
// reach the run key in the admitting transaction (a resume never sees an
// admitted key without them).
func TestAdmitCopiesMaterial(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	r := testRun(t)
	r.Strategy = "reimport"
	rq := RequestKey{Alias: "alias/a", Region: "r", MaterialID: "m-1", HSMLabel: "byok:r-1:alias/a"}
	if err := s.CreateRunWithRequest(ctx, r, []RequestKey{rq}); err != nil {
		t.Fatal(err)
	}
	if err := s.AdmitRequestKey(ctx, r.ID, "alias/a", "r", keyA); err != nil {
		t.Fatal(err)
	}
	rk, err := s.GetRunKey(ctx, r.ID, keyA)
	if err != nil || rk.OldMaterialID != "m-1" || rk.HSMLabel != rq.HSMLabel {
		t.Fatalf("run key %+v, %v", rk, err)
	}
	got, err := s.ListRequestKeys(ctx, r.ID)
	if err != nil || got[0].MaterialID != "m-1" || got[0].HSMLabel != rq.HSMLabel || got[0].Admission != AdmissionAdmitted {
		t.Fatalf("request %+v, %v", got, err)
	}
}

// FuzzParseAdmission: a name parses to the admission whose String it is,
// or fails with ErrInvalid and the zero value.
func FuzzParseAdmission(f *testing.F) {
	for _, seed := range []string{"pending", "admitted", "refused", "skipped", "", "Admission(0)", "PENDING"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		a, err := ParseAdmission(name)
		switch {
		case err == nil && a.String() != name:
			t.Fatalf("%q parsed to %v", name, a)
		case err != nil && (a != AdmissionUnknown || !errors.Is(err, ErrInvalid)):
			t.Fatalf("%q: %v, %v", name, a, err)
		}
	})
}
