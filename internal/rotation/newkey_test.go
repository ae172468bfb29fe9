package rotation_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

func (w *world) tags(t *testing.T, arn string) map[string]string {
	t.Helper()
	out, err := w.admin(w.est.SecurityAccount, "eu-west-1").ListResourceTags(context.Background(), &kms.ListResourceTagsInput{KeyId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[aws.ToString(tg.TagKey)] = aws.ToString(tg.TagValue)
	}
	return m
}

func (w *world) policy(t *testing.T, arn string) string {
	t.Helper()
	out, err := w.admin(w.est.SecurityAccount, "eu-west-1").GetKeyPolicy(context.Background(), &kms.GetKeyPolicyInput{KeyId: aws.String(arn), PolicyName: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Policy)
}

// TestNewKeyRotationAndRollback: a new key with the old policy,
// description and tags; the alias moves; the old key stays enabled and
// decrypts what it encrypted; rollback points the alias back.
func TestNewKeyRotationAndRollback(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	k := w.key(t, "alias/dev/s3")
	b := w.recordBefore(t, []estate.Key{k})[k.Alias]
	oldMD := w.describe(t, b.arn, "eu-west-1")
	oldTags, oldPolicy := w.tags(t, b.arn), w.policy(t, b.arn)

	id, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyNewKey, ChangeRef: "CHG-new"})
	if err != nil {
		t.Fatalf("new-key rotation: %v\n%s", err, w.logs)
	}
	now := w.describe(t, k.AliasARN(), "eu-west-1")
	newARN := aws.ToString(now.Arn)
	if newARN == b.arn || now.Origin != types.OriginTypeExternal || now.KeyState != types.KeyStateEnabled ||
		aws.ToString(now.Description) != aws.ToString(oldMD.Description) {
		t.Fatalf("alias target after rotation: %s %s %s %q", newARN, now.Origin, now.KeyState, aws.ToString(now.Description))
	}
	if p := w.policy(t, newARN); p != oldPolicy {
		t.Errorf("new key policy differs:\n%s\nold:\n%s", p, oldPolicy)
	}
	nt := w.tags(t, newARN)
	for key, v := range oldTags {
		if nt[key] != v {
			t.Errorf("new key tag %s = %q, want %q", key, nt[key], v)
		}
	}
	if nt[rotation.TagRun] != id.String() || nt[rotation.TagReplaces] != b.arn {
		t.Errorf("new key tags %v lack the run and the key it replaces", nt)
	}
	w.checkTags(t, newARN, "eu-west-1", aws.ToString(now.CurrentKeyMaterialId))
	old := w.describe(t, b.arn, "eu-west-1")
	dec, err := w.consumer(k.Consumer).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: b.canary})
	if old.KeyState != types.KeyStateEnabled || err != nil || string(dec.Plaintext) != "canary "+k.Alias {
		t.Fatalf("old key after new-key rotation: %s, old canary: %v", old.KeyState, err)
	}
	if w.tags(t, b.arn)[rotation.TagSupersededBy] != newARN {
		t.Errorf("old key not tagged as superseded by %s", newARN)
	}
	w.checkRun(t, id, 1)

	rb, err := w.eng.Rollback(ctx, id)
	if err != nil {
		t.Fatalf("rollback: %v", err)
	}
	w.checkRolledBack(t, id, rb, b.arn, newARN)
	if got := aws.ToString(w.describe(t, k.AliasARN(), "eu-west-1").Arn); got != b.arn {
		t.Fatalf("alias after rollback targets %s, want %s", got, b.arn)
	}
	if _, ok := w.tags(t, b.arn)[rotation.TagSupersededBy]; ok {
		t.Errorf("rollback left the superseded tag on the old key")
	}
}

// TestVerificationFailureNamesAccount removes the consumer account from
// the key policy between rotation and verification: the run stops at
// verify with a hint naming that account, and nothing is tagged or audited.
func TestVerificationFailureNamesAccount(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	k := w.key(t, "alias/dev/rds")
	arn := aws.ToString(w.describe(t, k.AliasARN(), "eu-west-1").Arn)
	w.eng.Progress = func(p rotation.Progress) {
		if p.Step == store.StepRotate && p.Phase == store.PhaseEnd {
			w.removeConsumer(t, arn, k.Consumer)
		}
	}
	id, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace})
	var kf *rotation.KeyFailure
	if !errors.As(err, &kf) || kf.Step != store.StepVerify || !errors.Is(err, rotation.ErrVerification) {
		t.Fatalf("Start = %v; want a KeyFailure at verify wrapping ErrVerification", err)
	}
	if !strings.Contains(kf.Hint, k.Consumer) || !strings.Contains(kf.Hint, "byok resume "+id.String()) {
		t.Errorf("hint %q does not name account %s and the resume command", kf.Hint, k.Consumer)
	}
	run, _ := w.st.GetRun(ctx, id)
	step, ph, _ := w.st.LastStep(ctx, id, arn)
	es, _ := w.log.List(ctx)
	if run.Status != store.StatusStopped || step != store.StepVerify || ph != store.PhaseFail || len(es) != 0 {
		t.Errorf("run %v, journal %s/%s, %d audit entries; want stopped at verify, none audited", run.Status, step, ph, len(es))
	}
	if _, tagged := w.tags(t, arn)[rotation.TagLastKeyMaterialID]; tagged {
		t.Errorf("key tagged although verification failed")
	}
}

// removeConsumer rewrites the key policy without any statement naming the
// consumer account (its root or its verify role).
func (w *world) removeConsumer(t *testing.T, arn, account string) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(w.policy(t, arn)), &doc); err != nil {
		t.Fatal(err)
	}
	var kept []any
	for _, st := range doc["Statement"].([]any) {
		b, _ := json.Marshal(st)
		if !strings.Contains(string(b), ":"+account+":") {
			kept = append(kept, st)
		}
	}
	doc["Statement"] = kept
	b, _ := json.Marshal(doc)
	_, err := w.admin(w.est.SecurityAccount, "eu-west-1").PutKeyPolicy(context.Background(), &kms.PutKeyPolicyInput{
		KeyId: aws.String(arn), PolicyName: aws.String("default"), Policy: aws.String(string(b))})
	if err != nil {
		t.Fatal(err)
	}
}

// checkRolledBack: the rollback is a run of its own (strategy rollback,
// target the new-key run) that journaled every step of its table, audited
// the key with outcome rolled-back; the new-key run is marked rolled-back
// and a second rollback changes nothing and says so.
func (w *world) checkRolledBack(t *testing.T, id, rb store.RunID, oldARN, newARN string) {
	t.Helper()
	ctx := context.Background()
	run, err := w.st.GetRun(ctx, rb)
	if err != nil || run.Status != store.StatusSucceeded || run.Target != id || run.Strategy != rotation.RollbackStrategy.String() {
		t.Fatalf("rollback run %s: %+v, %v", rb, run, err)
	}
	if orig, _ := w.st.GetRun(ctx, id); orig.Status != store.StatusRolledBack {
		t.Errorf("rolled-back run is %s, want rolled-back", orig.Status)
	}
	evs, err := w.st.Journal(ctx, rb)
	var steps []store.Step
	for _, ev := range evs {
		if ev.Phase == store.PhaseEnd && ev.KeyARN == oldARN {
			steps = append(steps, ev.Step)
		}
	}
	if err != nil || fmt.Sprint(steps) != fmt.Sprint(rotation.Steps(rotation.RollbackStrategy, false)) {
		t.Errorf("rollback journal %v (%v), want %v", steps, err, rotation.Steps(rotation.RollbackStrategy, false))
	}
	es, _ := w.log.List(ctx)
	n := 0
	for _, e := range es {
		if e.RunID == rb.String() && e.Outcome == audit.OutcomeRolledBack && e.KeyARN == oldARN && e.OldKeyID == newARN {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d rolled-back audit entries for %s, want 1", n, oldARN)
	}
	again, err := w.eng.Rollback(ctx, id)
	var already *rotation.AlreadyRolledBackError
	if again != "" || !errors.As(err, &already) || already.By != rb {
		t.Errorf("second rollback = %q, %v; want AlreadyRolledBackError by %s", again, err, rb)
	}
}
