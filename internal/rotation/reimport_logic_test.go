package rotation

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/store"
)

const (
	arnA = "arn:aws:kms:eu-west-1:111111111111:key/a"
	arnB = "arn:aws:kms:eu-west-1:111111111111:key/b"
)

func reimportPlan(alias, arn string, mats ...ExpiringMaterial) Plan {
	return Plan{Key: estate.Key{Alias: alias}, Status: KeyStatus{ARN: arn}, Expiring: mats}
}

// TestReimportRound: round i takes the i-th material byok can re-import
// of each key; foreign materials are never taken.
func TestReimportRound(t *testing.T) {
	byok := func(id string) ExpiringMaterial {
		return ExpiringMaterial{ID: id, ImportedBy: "r-20260101T000000Z-0001"}
	}
	foreign := ExpiringMaterial{ID: "foreign"}
	plans := []Plan{
		reimportPlan("alias/a", arnA, byok("a1"), foreign, byok("a2")),
		reimportPlan("alias/b", arnB, foreign, byok("b1")),
		reimportPlan("alias/c", "arn:c", foreign),
	}
	want := map[int][]string{0: {"a1", "b1"}, 1: {"a2"}, 2: nil}
	for round, ids := range want {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			var got []string
			for _, it := range reimportRound(plans, round) {
				got = append(got, it.material.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(ids) {
				t.Fatalf("round %d = %v, want %v", round, got, ids)
			}
		})
	}
}

// TestReimportErrors: a key's failure becomes a *ReimportError naming the
// alias, material, run and step, still matching the cause; a stop passes
// through as the run's *StoppedError.
func TestReimportErrors(t *testing.T) {
	items := reimportRound([]Plan{reimportPlan("alias/a", arnA, ExpiringMaterial{ID: "m1", ImportedBy: "r-20260101T000000Z-0001"})}, 0)
	const run = store.RunID("r-20260102T000000Z-0002")
	missing := missingObject(arnA, "byok:x:alias/a", run, hsm.ErrObjectNotFound)
	tests := map[string]struct {
		err      error
		wantIs   error
		wantStep store.Step
	}{
		"hsm object missing": {&KeyFailure{KeyARN: arnA, Step: store.StepHSMFind, Err: missing, Hint: "h"}, hsm.ErrObjectNotFound, store.StepHSMFind},
		"material gone":      {&KeyFailure{KeyARN: arnA, Step: store.StepPlan, Err: fmt.Errorf("x: %w", ErrMaterialGone)}, ErrMaterialGone, store.StepPlan},
		"verification":       {&KeyFailure{KeyARN: arnA, Step: store.StepVerify, Err: fmt.Errorf("%w: expires", ErrVerification)}, ErrVerification, store.StepVerify},
		"stopped":            {errors.Join(&StoppedError{RunID: run}), ErrStopped, store.StepUnknown},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := reimportErrors(tc.err, run, items)
			if !errors.Is(err, tc.wantIs) {
				t.Fatalf("err = %v, want it to match %v", err, tc.wantIs)
			}
			var re *ReimportError
			if tc.wantStep == store.StepUnknown {
				if errors.As(err, &re) {
					t.Fatalf("a stop became %v", re)
				}
				return
			}
			if !errors.As(err, &re) || re.Alias != "alias/a" || re.MaterialID != "m1" || re.RunID != run || re.Step != tc.wantStep {
				t.Fatalf("err = %#v, want a ReimportError for alias/a m1 in %s at %s", re, run, tc.wantStep)
			}
		})
	}
	if reimportErrors(nil, run, items) != nil {
		t.Fatal("no error became an error")
	}
}

func TestReimportVerificationOK(t *testing.T) {
	ok := AccountCheck{Account: "222222222222", OldCanaryOK: true, FreshRoundTrip: true}
	fresh := AccountCheck{Account: "222222222222", FreshRoundTrip: true}
	enabled := string(types.KeyStateEnabled)
	tests := map[string]struct {
		v    ReimportVerification
		want bool
	}{
		"all good":               {ReimportVerification{NoExpiry: true, KeyState: enabled, OldDataChecked: true, Accounts: []AccountCheck{ok}}, true},
		"expired key, fresh ok":  {ReimportVerification{NoExpiry: true, KeyState: enabled, Accounts: []AccountCheck{fresh}}, true},
		"still expires":          {ReimportVerification{KeyState: enabled, Accounts: []AccountCheck{ok}}, false},
		"disabled":               {ReimportVerification{NoExpiry: true, KeyState: string(types.KeyStateDisabled), Accounts: []AccountCheck{ok}}, false},
		"old canary fails":       {ReimportVerification{NoExpiry: true, KeyState: enabled, OldDataChecked: true, Accounts: []AccountCheck{fresh}}, false},
		"fresh round trip fails": {ReimportVerification{NoExpiry: true, KeyState: enabled, Accounts: []AccountCheck{{OldCanaryOK: true}}}, false},
		"no account checked":     {ReimportVerification{NoExpiry: true, KeyState: enabled}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.v.OK(); got != tc.want {
				t.Fatalf("OK() = %v, want %v", got, tc.want)
			}
			if err := reimportVerificationError(tc.v, "m1"); (err == nil) != tc.want || (err != nil && !errors.Is(err, ErrVerification)) {
				t.Fatalf("verification error = %v, want ErrVerification iff not OK", err)
			}
		})
	}
}
