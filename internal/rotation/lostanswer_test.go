package rotation_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/store"
)

// loseAnswers makes the sandbox lose, with probability p, the answers of
// ops: the call takes effect and the client gets a 500 InternalFailure (a
// network that dropped the response), so the SDK retries or fails.
func (w *world) loseAnswers(ops []string, p float64) {
	var rules []faults.Rule
	for _, op := range ops {
		rules = append(rules, faults.Rule{Service: "kms", Operation: op, Code: "InternalFailure", Status: 500,
			Probability: p, After: true})
	}
	w.sb.SetFaults(rules, false)
}

// TestLostAnswers: with the sandbox losing the answers of ImportKeyMaterial,
// RotateKeyOnDemand, CreateKey, UpdateAlias and TagResource lost half of
// the time, every rotation of either strategy ends correct with no resume
// or one: the key rotated once (one new material; new-key: the alias on
// the one key the run created, no stray byok:run key), one audit entry,
// the run succeeded.
func TestLostAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("20 rotations per strategy: skipped with -short")
	}
	for _, strategy := range []estate.Strategy{estate.StrategyInPlace, estate.StrategyNewKey} {
		t.Run(string(strategy), func(t *testing.T) {
			w := newWorld(t, true)
			w.loseAnswers([]string{"ImportKeyMaterial", "RotateKeyOnDemand", "CreateKey", "UpdateAlias", "TagResource"}, 0.5)
			keys := singleRegionKeys(w)
			for i := 0; i < 20; i++ {
				w.rotateThroughLostAnswers(t, keys[i%len(keys)], strategy)
			}
		})
	}
}

func singleRegionKeys(w *world) []estate.Key {
	var out []estate.Key
	for _, k := range w.est.Keys() {
		if len(k.Replicas) == 0 && k.Region == w.est.PrimaryRegion() {
			out = append(out, k)
		}
	}
	return out
}

func (w *world) rotateThroughLostAnswers(t *testing.T, k estate.Key, strategy estate.Strategy) {
	t.Helper()
	ctx := context.Background()
	before := w.describe(t, k.AliasARN(), k.Region)
	mats := len(w.materials(t, aws.ToString(before.Arn), k.Region))
	id, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: strategy, ChangeRef: "CHG-lost"})
	if err != nil {
		if id == "" {
			t.Fatalf("%s: Start: %v", k.Alias, err)
		}
		if rerr := w.eng.Resume(ctx, id); rerr != nil {
			t.Fatalf("%s: run %s failed (%v) and its one resume failed: %v\n%s", k.Alias, id, err, rerr, w.logs.String())
		}
	}
	after := w.describe(t, k.AliasARN(), k.Region)
	switch strategy {
	case estate.StrategyInPlace:
		if n := len(w.materials(t, aws.ToString(after.Arn), k.Region)); n != mats+1 || aws.ToString(after.CurrentKeyMaterialId) == aws.ToString(before.CurrentKeyMaterialId) {
			t.Errorf("%s run %s: %d → %d materials, current %s → %s", k.Alias, id, mats, n,
				aws.ToString(before.CurrentKeyMaterialId), aws.ToString(after.CurrentKeyMaterialId))
		}
	case estate.StrategyNewKey:
		created := w.keysTaggedWithRun(t, id)
		if len(created) != 1 || created[0] != aws.ToString(after.Arn) {
			t.Errorf("%s run %s: keys tagged with the run %v, alias on %s (want exactly one, the alias's)", k.Alias, id, created, aws.ToString(after.Arn))
		}
	}
	w.checkRunAudit(t, id)
}

// keysTaggedWithRun lists the Security account's keys tagged byok:run=id.
func (w *world) keysTaggedWithRun(t *testing.T, id store.RunID) []string {
	t.Helper()
	ctx := context.Background()
	c := w.admin(w.est.SecurityAccount, w.est.PrimaryRegion())
	var out []string
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: k.KeyId})
			if err != nil {
				t.Fatal(err)
			}
			for _, tag := range tags.Tags {
				if aws.ToString(tag.TagKey) == rotation.TagRun && aws.ToString(tag.TagValue) == id.String() {
					out = append(out, aws.ToString(k.KeyArn))
				}
			}
		}
	}
	return out
}

// checkRunAudit: the run succeeded with exactly one audit entry.
func (w *world) checkRunAudit(t *testing.T, id store.RunID) {
	t.Helper()
	ctx := context.Background()
	run, err := w.st.GetRun(ctx, id)
	es, lerr := w.log.List(ctx)
	n := 0
	for _, e := range es {
		if e.RunID == id.String() {
			n++
		}
	}
	if err != nil || lerr != nil || run.Status != store.StatusSucceeded || n != 1 {
		t.Errorf("run %s: %v (%s), %d audit entries (%v %v)", id, run.Status, run.Error, n, err, lerr)
	}
}
