package rotation

import (
	"testing"
)

func TestSummarize(t *testing.T) {
	byok := ExpiringMaterial{ID: "m1", ImportedBy: "r-20261205T120000Z-0001"}
	foreign := ExpiringMaterial{ID: "m2"}
	plans := []Plan{
		{Due: true},
		{Due: false, Expiring: []ExpiringMaterial{byok, foreign}},
		{Due: true, Expiring: []ExpiringMaterial{byok}},
		{Due: false},
	}
	tests := map[string]struct {
		sel  Selector
		want Work
	}{
		"due: due keys, byok's and foreign materials": {Selector{Due: true}, Work{Rotations: 2, Reimports: 2, Manual: 1}},
		"not due: every key, no re-import":            {Selector{Key: "alias/dev/s3"}, Work{Rotations: 4}},
	}
	for name, tc := range tests {
		if got := Summarize(plans, tc.sel); got != tc.want {
			t.Errorf("%s: %+v, want %+v", name, got, tc.want)
		}
	}
	if got := Summarize(nil, Selector{Due: true}); got != (Work{}) {
		t.Errorf("no plans: %+v", got)
	}
}
