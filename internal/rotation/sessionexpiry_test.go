package rotation_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// TestRotationSurvivesSessionExpiry: in the middle of an in-place
// rotation (after the canaries, before the HSM and import steps) the
// clock jumps two hours, past every session the run assumed: the
// operator role's in the Security account and the verify roles' in the
// consumer accounts. The SDK's caches still hold those sessions; each
// next call is answered ExpiredToken, assumes its role again and goes on,
// and the run ends verified from every account.
func TestRotationSurvivesSessionExpiry(t *testing.T) {
	w := newWorld(t, true)
	k := w.key(t, "alias/dev/s3")
	w.recordBefore(t, []estate.Key{k})
	var once sync.Once
	w.eng.Progress = func(p rotation.Progress) {
		if p.Step == store.StepCanaries && p.Phase == store.PhaseEnd {
			once.Do(func() { w.sb.AdvanceClock(2 * time.Hour) })
		}
	}
	id, err := w.eng.Start(context.Background(), rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace, ChangeRef: "CHG-expiry"})
	if err != nil {
		t.Fatalf("rotation across a session expiry: %v\n%s", err, w.logs)
	}
	w.checkRun(t, id, 1)
}
