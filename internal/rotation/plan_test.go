package rotation

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	pol := estate.Policy{MaxMaterialAge: 365 * day, ExpiryWarning: 30 * day}
	key := estate.Key{Env: "prod", Service: estate.ServiceRDS, Alias: "alias/prod/rds", Region: "eu-west-1"}
	base := func() KeyStatus {
		return KeyStatus{ARN: "arn:aws:kms:eu-west-1:111111111111:key/k", State: types.KeyStateEnabled,
			Origin: types.OriginTypeExternal, CurrentSince: now.Add(-100 * day),
			Materials: []Material{{ID: "m1", State: types.KeyMaterialStateCurrent}}}
	}
	soon := now.Add(10 * day)
	cases := map[string]struct {
		mut      func(*KeyStatus)
		strategy estate.Strategy
		runID    string
		wantDue  bool
		wantErr  error
		wantOwn  string
	}{
		"fresh key":               {mut: func(*KeyStatus) {}, wantDue: false},
		"exactly max age not due": {mut: func(s *KeyStatus) { s.CurrentSince = now.Add(-365 * day) }, wantDue: false},
		"overdue":                 {mut: func(s *KeyStatus) { s.CurrentSince = now.Add(-400 * day) }, wantDue: true},
		// An expiring material needs a re-import, not a rotation (the old
		// material would keep its ValidTo): not due, listed in Expiring.
		"old material expiring": {mut: func(s *KeyStatus) {
			s.Materials = append(s.Materials, Material{ID: "m0", State: types.KeyMaterialStateNonCurrent, ValidTo: &soon})
		}, wantDue: false},
		"not external": {mut: func(s *KeyStatus) { s.Origin = types.OriginTypeAwsKms }, wantErr: ErrNotExternal},
		"disabled":     {mut: func(s *KeyStatus) { s.State = types.KeyStateDisabled }, wantErr: ErrKeyState},
		"foreign pending": {mut: func(s *KeyStatus) {
			s.Materials = append(s.Materials, Material{ID: "p", State: types.KeyMaterialStatePendingRotation, Description: "someone"})
		}, wantErr: ErrForeignPending},
		"own pending on resume": {runID: "r-1", wantOwn: "p", mut: func(s *KeyStatus) {
			s.Materials = append(s.Materials, Material{ID: "p", State: types.KeyMaterialStatePendingRotation, Description: "r-1"})
		}},
		"25 rotations used":     {mut: func(s *KeyStatus) { s.OnDemandRotations = 25 }, wantErr: ErrRotationLimit},
		"25 used but new-key":   {strategy: estate.StrategyNewKey, mut: func(s *KeyStatus) { s.OnDemandRotations = 25 }},
		"24 used still allowed": {mut: func(s *KeyStatus) { s.OnDemandRotations = 24 }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			st := base()
			tc.mut(&st)
			strat := tc.strategy
			if strat == "" {
				strat = estate.StrategyInPlace
			}
			p := Decide(key, st, pol, strat, tc.runID, now)
			if tc.wantErr != nil {
				if p.Refused == nil || !errors.Is(p.Refused, tc.wantErr) {
					t.Fatalf("refusal = %v, want %v", p.Refused, tc.wantErr)
				}
				return
			}
			if p.Refused != nil {
				t.Fatalf("unexpected refusal %v", p.Refused)
			}
			if p.Due != tc.wantDue {
				t.Fatalf("due = %v (%v), want %v", p.Due, p.Why, tc.wantDue)
			}
			if p.OwnPending != tc.wantOwn {
				t.Fatalf("own pending = %q, want %q", p.OwnPending, tc.wantOwn)
			}
		})
	}
}

func TestStepsFor(t *testing.T) {
	single := stepsFor(estate.StrategyInPlace, false)
	for _, s := range single {
		if s == store.StepImportReplicas {
			t.Fatal("single-Region key must not import replicas")
		}
	}
	multi := stepsFor(estate.StrategyInPlace, true)
	if len(multi) != len(single)+1 {
		t.Fatalf("multi-Region steps = %d, want %d", len(multi), len(single)+1)
	}
	if got := stepsFor(estate.StrategyNewKey, false); got[2] != store.StepCreateKey {
		t.Fatalf("new-key third step = %s, want create-key", got[2])
	}
}

func TestDecideRefusesNewKeyForMultiRegion(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	k := estate.Key{Env: "prod", Service: estate.ServiceDynamoDB, Alias: "alias/prod/dynamodb", Region: "eu-west-1", Replicas: []string{"eu-central-1"}}
	st := KeyStatus{ARN: "arn:aws:kms:eu-west-1:111111111111:key/mrk-1", State: types.KeyStateEnabled,
		Origin: types.OriginTypeExternal, MultiRegion: true, CurrentSince: now}
	p := Decide(k, st, estate.Policy{MaxMaterialAge: 365 * 24 * time.Hour}, estate.StrategyNewKey, "", now)
	if p.Refused == nil || !errors.Is(p.Refused, ErrNewKeyMultiRegion) {
		t.Fatalf("refusal = %v, want ErrNewKeyMultiRegion", p.Refused)
	}
	if p := Decide(k, st, estate.Policy{MaxMaterialAge: 365 * 24 * time.Hour}, estate.StrategyInPlace, "", now); p.Refused != nil {
		t.Fatalf("in place refused: %v", p.Refused)
	}
}
