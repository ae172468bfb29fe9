package rotation

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
)

func TestDecideExpiring(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	pol := estate.Policy{MaxMaterialAge: 365 * day, ExpiryWarning: 30 * day}
	key := estate.Key{Alias: "alias/dev/dynamodb", Region: "eu-west-1"}
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	const byokRun = "r-20260601T010203Z-3fa9"
	type want struct {
		id, cmd, label string
		reimport       bool
	}
	cases := map[string]struct {
		mats []Material
		age  time.Duration
		due  bool
		want []want
	}{
		"byok material expiring": {mats: []Material{{ID: "m1", State: types.KeyMaterialStateCurrent, Description: byokRun, ValidTo: at(10 * day)}},
			want: []want{{id: "m1", reimport: true, label: "byok:" + byokRun + ":alias/dev/dynamodb",
				cmd: "byok import --key alias/dev/dynamodb --reimport --material-id m1"}}},
		"foreign material expiring": {mats: []Material{{ID: "m1", State: types.KeyMaterialStateCurrent, Description: "byok seed: initial material", ValidTo: at(10 * day)}},
			want: []want{{id: "m1"}}},
		"already expired is listed": {mats: []Material{{ID: "m1", State: types.KeyMaterialStateCurrent, Description: byokRun, ValidTo: at(-day)}},
			want: []want{{id: "m1", reimport: true, label: "byok:" + byokRun + ":alias/dev/dynamodb",
				cmd: "byok import --key alias/dev/dynamodb --reimport --material-id m1"}}},
		"outside the window": {mats: []Material{{ID: "m1", State: types.KeyMaterialStateCurrent, Description: byokRun, ValidTo: at(31 * day)}}},
		"no expiry":          {mats: []Material{{ID: "m1", State: types.KeyMaterialStateCurrent, Description: byokRun}}},
		"overdue and expiring, soonest first": {age: 400 * day, due: true, mats: []Material{
			{ID: "new", State: types.KeyMaterialStateCurrent, Description: "other", ValidTo: at(20 * day)},
			{ID: "old", State: types.KeyMaterialStateNonCurrent, Description: byokRun, ValidTo: at(5 * day)}},
			want: []want{{id: "old", reimport: true, label: "byok:" + byokRun + ":alias/dev/dynamodb",
				cmd: "byok import --key alias/dev/dynamodb --reimport --material-id old"}, {id: "new"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			st := KeyStatus{ARN: "arn:aws:kms:eu-west-1:111111111111:key/k", State: types.KeyStateEnabled,
				Origin: types.OriginTypeExternal, CurrentSince: now.Add(-tc.age), Materials: tc.mats}
			p := Decide(key, st, pol, estate.StrategyInPlace, "", now)
			if p.Due != tc.due {
				t.Fatalf("due = %v (%v), want %v", p.Due, p.Why, tc.due)
			}
			if len(p.Expiring) != len(tc.want) {
				t.Fatalf("expiring = %+v, want %d", p.Expiring, len(tc.want))
			}
			for i, w := range tc.want {
				m := p.Expiring[i]
				if m.ID != w.id || m.Reimportable() != w.reimport || m.Command(key.Alias) != w.cmd || m.HSMLabel != w.label {
					t.Errorf("expiring[%d] = %+v (command %q), want %+v", i, m, m.Command(key.Alias), w)
				}
				hint := m.Hint(key.Alias)
				if !w.reimport && (!strings.Contains(hint, "EXISTING_KEY_MATERIAL") || !strings.Contains(hint, "KEY_MATERIAL_DOES_NOT_EXPIRE") || !strings.Contains(hint, m.ID)) {
					t.Errorf("hint for a foreign material does not say how to re-import it: %q", hint)
				}
				if w.reimport && !strings.Contains(hint, w.cmd) {
					t.Errorf("hint %q does not give the command %q", hint, w.cmd)
				}
			}
			n := 0
			for _, w := range tc.want {
				if w.reimport {
					n++
				}
			}
			if got := p.ReimportableCount(); got != n {
				t.Errorf("ReimportableCount = %d, want %d", got, n)
			}
		})
	}
}
