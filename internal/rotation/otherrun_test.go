package rotation

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
)

// Pending material whose description is a byok run ID is another byok
// run's (which may be alive on another machine): refused as such, never
// with a hint to delete it; material another tool imported keeps the
// foreign-material refusal. Which refusal, keyed by the description.
func TestPendingOfAnotherRun(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		desc, runID string
		want        error
	}{
		"another run, no run of ours": {"r-20261205T115900Z-3fa9", "", ErrOtherRunPending},
		"another run while resuming":  {"r-20261205T115900Z-3fa9", "r-20261205T115000Z-0001", ErrOtherRunPending},
		"another tool":                {"imported by hand", "", ErrForeignPending},
		"almost a run ID":             {"r-2026", "", ErrForeignPending},
		"empty description":           {"", "", ErrForeignPending},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			st := KeyStatus{ARN: "arn:aws:kms:eu-west-1:111111111111:key/k", Origin: types.OriginTypeExternal,
				State: types.KeyStateEnabled, CurrentSince: now.Add(-400 * 24 * time.Hour),
				Materials: []Material{{ID: "m-new", State: types.KeyMaterialStatePendingRotation, Description: tc.desc}}}
			p := Decide(estate.Key{Alias: "alias/prod/s3"}, st, estate.Policy{MaxMaterialAge: 365 * 24 * time.Hour}, estate.StrategyInPlace, tc.runID, now)
			if p.Refused == nil || !errors.Is(p.Refused, tc.want) {
				t.Fatalf("refusal %v, want %v", p.Refused, tc.want)
			}
			if tc.want == ErrOtherRunPending {
				if strings.Contains(p.Refused.Error(), "DeleteImportedKeyMaterial") || !strings.Contains(p.Refused.Hint, "lock status") ||
					!strings.Contains(p.Refused.Error(), tc.desc) {
					t.Fatalf("hint for another run's material: %v", p.Refused)
				}
			}
		})
	}
}
