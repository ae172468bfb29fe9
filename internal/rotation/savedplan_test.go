package rotation

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

func testSavedPlan() SavedPlan {
	k := estate.Key{Alias: "alias/prod/s3", Region: "eu-west-1", Account: "111111111111"}
	st := KeyStatus{ARN: "arn:aws:kms:eu-west-1:111111111111:key/k1", KeyID: "k1", CurrentID: "m1",
		Materials: []Material{{ID: "m1", State: "CURRENT"}}}
	p := Prepared{Selector: Selector{Due: true}, Strategy: estate.StrategyInPlace, Items: []Item{{Key: k, KeyARN: st.ARN,
		Strategy: InPlace, Admission: store.AdmissionAdmitted, Steps: Steps(InPlace, false), Plan: &Plan{Key: k, Status: st}}}}
	est := &estate.Estate{}
	return p.Save(est, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
}

func TestParseSavedPlan(t *testing.T) {
	good := testSavedPlan()
	b, err := json.Marshal(good)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseSavedPlan(b)
	if err != nil || got.Keys[0].CurrentMaterialID != "m1" || len(got.Keys[0].Steps) != 12 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	edit := func(f func(*SavedPlan)) []byte {
		sp := testSavedPlan()
		f(&sp)
		b, _ := json.Marshal(sp)
		return b
	}
	bad := map[string][]byte{
		"empty":          nil,
		"not json":       []byte("{"),
		"unknown field":  []byte(strings.Replace(string(b), `"version"`, `"extra":1,"version"`, 1)),
		"two documents":  append(append([]byte{}, b...), b...),
		"version":        edit(func(sp *SavedPlan) { sp.Version = 2 }),
		"digest":         edit(func(sp *SavedPlan) { sp.EstateDigest = "abc" }),
		"no keys":        edit(func(sp *SavedPlan) { sp.Keys = nil }),
		"alias":          edit(func(sp *SavedPlan) { sp.Keys[0].Alias = "prod/s3" }),
		"region":         edit(func(sp *SavedPlan) { sp.Keys[0].Region = "" }),
		"strategy":       edit(func(sp *SavedPlan) { sp.Keys[0].Strategy = "sideways" }),
		"admission":      edit(func(sp *SavedPlan) { sp.Keys[0].Admission = "maybe" }),
		"step":           edit(func(sp *SavedPlan) { sp.Keys[0].Steps = []string{"plan", "teleport"} }),
		"target":         edit(func(sp *SavedPlan) { sp.Target = "run-1" }),
		"request strat":  edit(func(sp *SavedPlan) { sp.Strategy = "x" }),
		"materials hash": edit(func(sp *SavedPlan) { sp.Keys[0].MaterialsDigest = "zz" }),
	}
	for name, in := range bad {
		if _, err := ParseSavedPlan(in); !errors.Is(err, ErrBadPlan) {
			t.Errorf("%s: err = %v, want ErrBadPlan", name, err)
		}
	}
}

func TestSavedPlanCheck(t *testing.T) {
	tests := map[string]struct {
		edit func(*SavedPlan)
		want string // a fragment of the named change; "" = no change
	}{
		"same":           {func(*SavedPlan) {}, ""},
		"material":       {func(sp *SavedPlan) { sp.Keys[0].CurrentMaterialID = "m2" }, "current material was \"m1\", is \"m2\""},
		"alias target":   {func(sp *SavedPlan) { sp.Keys[0].AliasTarget = "k2" }, "alias target"},
		"rotations":      {func(sp *SavedPlan) { sp.Keys[0].OnDemandRotations = 3 }, "on-demand rotations"},
		"estate":         {func(sp *SavedPlan) { sp.EstateDigest = strings.Repeat("0", 64) }, "estate"},
		"key gone":       {func(sp *SavedPlan) { sp.Keys[0].Alias = "alias/dev/s3" }, "no longer selected"},
		"decision":       {func(sp *SavedPlan) { sp.Keys[0].Admission = "skipped" }, "admission"},
		"materials only": {func(sp *SavedPlan) { sp.Keys[0].MaterialsDigest = strings.Repeat("1", 64) }, "materials (ListKeyRotations)"},
	}
	for name, tc := range tests {
		now := testSavedPlan()
		tc.edit(&now)
		err := testSavedPlan().Check(now)
		var pc *PlanChangedError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.want != "" && (!errors.As(err, &pc) || !errors.Is(err, ErrPlanChanged) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want a PlanChangedError naming %q", name, err, tc.want)
		}
	}
}

// FuzzParseSavedPlan: any input parses to a plan that validates and
// re-marshals to an equal plan, or fails with ErrBadPlan; never panics.
func FuzzParseSavedPlan(f *testing.F) {
	b, _ := json.Marshal(testSavedPlan())
	for _, seed := range []string{string(b), "", "{}", "null", `{"version":1}`, `{"version":1,"keys":[{}]}`, "[1,2]"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		sp, err := ParseSavedPlan([]byte(raw))
		if err != nil {
			if !errors.Is(err, ErrBadPlan) {
				t.Fatalf("%q: %v does not wrap ErrBadPlan", raw, err)
			}
			return
		}
		b, err := json.Marshal(sp)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseSavedPlan(b)
		if err != nil || again.Check(sp) != nil && again.EstateDigest == sp.EstateDigest {
			t.Fatalf("%q: does not round-trip: %v", raw, err)
		}
	})
}
