package rotation_test

import (
	"context"
	"testing"
	"time"

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
// RotateKeyOnDemand, CreateKey, UpdateAlias and TagResource half of the
// time, every run of every strategy (in-place, new-key, re-import of
// expiring material) ends correct with no resume or one, 20 runs each:
// the key rotated once (one new material; new-key: the alias on the one
// key the run created, no stray byok:run key) or, for a re-import, its
// material no longer expires and nothing rotated; one audit entry; the
// run succeeded.
func TestLostAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("20 rotations per strategy: skipped with -short")
	}
	for _, strategy := range []estate.Strategy{estate.StrategyInPlace, estate.StrategyNewKey} {
		t.Run(string(strategy), func(t *testing.T) {
			w := newWorld(t, true)
			w.loseAnswers(lostOps, 0.5)
			keys := singleRegionKeys(w)
			for i := 0; i < 20; i++ {
				w.rotateThroughLostAnswers(t, keys[i%len(keys)], strategy)
			}
		})
	}
	t.Run("re-import", func(t *testing.T) {
		w := newWorld(t, true)
		var keys []estate.Key
		made := map[string]store.RunID{} // alias → the run whose HSM object holds the key's material
		for _, k := range singleRegionKeys(w) {
			id, err := w.eng.Start(context.Background(), rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace})
			if err != nil {
				t.Fatalf("%s: setup rotation: %v", k.Alias, err)
			}
			if !w.anyExpires(t, k) { // a seeded material that expires is not byok's to re-import
				keys, made[k.Alias] = append(keys, k), id
			}
		}
		if len(keys) == 0 {
			t.Fatal("no key of the demo estate without expiring seeded material")
		}
		w.loseAnswers(lostOps, 0.5)
		for i := 0; i < 20; i++ {
			k := keys[i%len(keys)]
			w.reimportThroughLostAnswers(t, k, made[k.Alias])
		}
	})
}

// lostOps are the calls whose answers TestLostAnswers loses.
var lostOps = []string{"ImportKeyMaterial", "RotateKeyOnDemand", "CreateKey", "UpdateAlias", "TagResource"}

// reimportThroughLostAnswers makes k's current material (made by run made)
// expire soon, with the sandbox's faults suspended, then re-imports it
// through lost answers: the run ends correct with no resume or one, the
// material no longer expires, nothing rotated, one audit entry.
func (w *world) reimportThroughLostAnswers(t *testing.T, k estate.Key, made store.RunID) {
	t.Helper()
	ctx := context.Background()
	arn := aws.ToString(w.describe(t, k.AliasARN(), k.Region).Arn)
	mat := aws.ToString(w.describe(t, arn, k.Region).CurrentKeyMaterialId)
	resume := w.sb.SuspendFaults()
	w.setExpiry(t, k, arn, made, mat, 5*24*time.Hour)
	count := len(w.materials(t, arn, k.Region))
	plans, err := w.eng.PlanKeys(ctx, []estate.Key{k}, estate.StrategyInPlace)
	resume()
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := w.eng.Reimport(ctx, plans, "CHG-lost")
	if err != nil {
		if id == "" {
			t.Fatalf("%s: Reimport: %v", k.Alias, err)
		}
		if rerr := w.eng.Resume(ctx, id); rerr != nil {
			t.Fatalf("%s: re-import run %s failed (%v) and its one resume failed: %v\n%s", k.Alias, id, err, rerr, w.logs.String())
		}
	}
	w.checkReimported(t, arn, k.Region, mat, count)
	w.checkReimportRun(t, id, arn, mat)
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

// anyExpires reports whether any material of k has a ValidTo.
func (w *world) anyExpires(t *testing.T, k estate.Key) bool {
	t.Helper()
	for _, m := range w.materials(t, aws.ToString(w.describe(t, k.AliasARN(), k.Region).Arn), k.Region) {
		if m.ValidTo != nil {
			return true
		}
	}
	return false
}
