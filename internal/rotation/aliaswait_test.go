package rotation_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// TestAliasWaitHasADeadline: a new-key run waits for its alias to resolve
// to the new key before verifying; when it never does (someone points it
// back at the old key right after UpdateAlias), the wait ends at
// Engine.AliasTimeout with ErrAliasPropagation naming the alias, where it
// points and the key it should point at, and the run stops resumable.
func TestAliasWaitHasADeadline(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	k := w.key(t, "alias/dev/s3")
	old := aws.ToString(w.describe(t, k.AliasARN(), k.Region).Arn)
	sec := w.admin(w.est.SecurityAccount, k.Region)
	w.eng.AliasTimeout = time.Second // the deadline under test
	w.eng.Progress = func(p rotation.Progress) {
		if p.Step == store.StepUpdateAlias && p.Phase == store.PhaseEnd {
			if _, err := sec.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(k.Alias), TargetKeyId: aws.String(old)}); err != nil {
				t.Error(err)
			}
		}
	}
	id, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyNewKey, ChangeRef: "CHG-alias"})
	if !errors.Is(err, rotation.ErrAliasPropagation) || !strings.Contains(err.Error(), k.Alias+" still resolves to "+old) {
		t.Fatalf("run %s: %v, want ErrAliasPropagation naming %s and %s", id, err, k.Alias, old)
	}
	if r, gerr := w.st.GetRun(ctx, id); gerr != nil || r.Status == store.StatusSucceeded {
		t.Fatalf("run after the alias timeout: %+v %v", r, gerr)
	}
	if !strings.Contains(w.logs.String(), "waiting for the alias to resolve to the new key") {
		t.Fatalf("the wait did not say what it waited for:\n%s", w.logs)
	}
	w.eng.Progress = nil
	if err := w.eng.Resume(ctx, id); !errors.Is(err, rotation.ErrAliasPropagation) {
		t.Fatalf("resume with the alias still moved back: %v", err)
	}
}
