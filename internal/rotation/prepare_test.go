package rotation

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// TestPrepareDecidesEachKey: from fresh plans, Prepare gives each key its
// procedure and admission; the dry run prints and the run journals exactly
// these items.
func TestPrepareDecidesEachKey(t *testing.T) {
	k := estate.Key{Alias: "alias/prod/s3", Region: "eu-west-1", Account: "111111111111"}
	byok := ExpiringMaterial{ID: "m-old", ImportedBy: "r-20261127T010203Z-3fa9", HSMLabel: "byok:r-20261127T010203Z-3fa9:alias/prod/s3"}
	foreign := ExpiringMaterial{ID: "m-seed", Description: "seed"}
	refused := &Refusal{KeyARN: "arn:k", Err: ErrKeyState, Hint: "enable it"}
	tests := map[string]struct {
		plan     Plan
		due      bool
		strategy Strategy
		adm      store.Admission
		note     bool
	}{
		"due, --due":                  {Plan{Due: true}, true, InPlace, store.AdmissionAdmitted, false},
		"not due, --due":              {Plan{}, true, InPlace, store.AdmissionSkipped, false},
		"not due, --key":              {Plan{}, false, InPlace, store.AdmissionAdmitted, false},
		"refused":                     {Plan{Due: true, Refused: refused}, true, InPlace, store.AdmissionRefused, false},
		"expiring byok":               {Plan{Expiring: []ExpiringMaterial{byok}}, true, Reimport, store.AdmissionAdmitted, false},
		"expiring byok, key disabled": {Plan{Expiring: []ExpiringMaterial{byok}, Refused: refused}, true, Reimport, store.AdmissionAdmitted, false},
		"expiring and due":            {Plan{Due: true, Expiring: []ExpiringMaterial{byok}}, true, Reimport, store.AdmissionAdmitted, true},
		"expiring foreign, due":       {Plan{Due: true, Expiring: []ExpiringMaterial{foreign}}, true, InPlace, store.AdmissionAdmitted, false},
		"expiring byok, --key":        {Plan{Expiring: []ExpiringMaterial{byok}}, false, InPlace, store.AdmissionAdmitted, false},
	}
	for name, tc := range tests {
		tc.plan.Key, tc.plan.At, tc.plan.Status.ARN = k, time.Now(), "arn:k"
		e := &Engine{}
		p, err := e.Prepare(context.Background(), Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace,
			Selector: Selector{Due: tc.due}, Plans: []Plan{tc.plan}})
		if err != nil || len(p.Items) != 1 {
			t.Fatalf("%s: %+v, %v", name, p, err)
		}
		it := p.Items[0]
		if it.Strategy != tc.strategy || it.Admission != tc.adm || (it.Note != "") != tc.note {
			t.Errorf("%s: %s %s note %q; want %s %s note=%v", name, it.Strategy, it.Admission, it.Note, tc.strategy, tc.adm, tc.note)
		}
		wantSteps := tc.adm == store.AdmissionAdmitted
		if (len(it.Steps) > 0) != wantSteps || it.KeyARN != "arn:k" {
			t.Errorf("%s: steps %v, key %q", name, it.Steps, it.KeyARN)
		}
		if tc.strategy == Reimport && (it.MaterialID != byok.ID || it.HSMLabel != byok.HSMLabel) {
			t.Errorf("%s: re-import of %q from %q", name, it.MaterialID, it.HSMLabel)
		}
	}
}

func TestPrepareRefusesRequests(t *testing.T) {
	e := &Engine{}
	k := estate.Key{Alias: "alias/a", Region: "r"}
	cases := map[string]struct {
		req  Request
		want error
	}{
		"no key":            {Request{Strategy: estate.StrategyInPlace}, ErrEmptyRequest},
		"reimport strategy": {Request{Keys: []estate.Key{k}, Strategy: "reimport"}, ErrUnknownStrategy},
		"rollback strategy": {Request{Keys: []estate.Key{k}, Strategy: "rollback"}, ErrUnknownStrategy},
		"unknown":           {Request{Keys: []estate.Key{k}, Strategy: "sideways"}, ErrUnknownStrategy},
	}
	for name, tc := range cases {
		if _, err := e.Prepare(context.Background(), tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

func TestRunStrategyLabel(t *testing.T) {
	p := Prepared{Strategy: estate.StrategyInPlace, Items: []Item{{Strategy: Reimport, Admission: store.AdmissionAdmitted},
		{Strategy: InPlace, Admission: store.AdmissionAdmitted}, {Strategy: InPlace, Admission: store.AdmissionSkipped},
		{Strategy: InPlace, Admission: store.AdmissionPending}}}
	if got := p.runStrategy(); got != "reimport+in-place" {
		t.Errorf("label %q", got)
	}
	if got := (Prepared{Strategy: estate.StrategyNewKey}).runStrategy(); got != "new-key" {
		t.Errorf("empty label %q", got)
	}
}
