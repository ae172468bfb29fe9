package rotation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// TestReimportRunStopsAndResumes: a re-import is a journaled run. Stopped
// at a step boundary (Ctrl-C) it holds the key's lock, so a rotation of
// the key is refused; byok resume finishes it: the material no longer
// expires, same KeyMaterialId, no rotation, one audit entry, every step
// journaled and no HSM object generated.
func TestReimportRunStopsAndResumes(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	k := w.key(t, "alias/dev/s3")
	first, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace})
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	arn := aws.ToString(w.describe(t, k.AliasARN(), k.Region).Arn)
	mat := aws.ToString(w.describe(t, arn, k.Region).CurrentKeyMaterialId)
	w.setExpiry(t, k, arn, first, mat, 5*24*time.Hour)
	count := len(w.materials(t, arn, k.Region))
	plans, err := w.eng.PlanKeys(ctx, []estate.Key{k}, estate.StrategyInPlace)
	if err != nil {
		t.Fatal(err)
	}

	stopCtx, cancel := context.WithCancel(ctx)
	w.eng.Progress = func(p rotation.Progress) {
		if p.Step == store.StepWrap && p.Phase == store.PhaseEnd {
			cancel()
		}
	}
	id, res, err := w.eng.Reimport(stopCtx, plans, "CHG-stop")
	w.eng.Progress = nil
	var stopped *rotation.StoppedError
	if !errors.As(err, &stopped) || id == "" || len(res) != 0 {
		t.Fatalf("cancelled re-import: run %q, %+v, %v; want a StoppedError and nothing done", id, res, err)
	}
	if step, ph, err := w.st.LastStep(ctx, id, arn); err != nil || step != store.StepWrap || ph != store.PhaseEnd {
		t.Fatalf("journal after the stop: %s %s %v, want wrap end", step, ph, err)
	}
	_, err = w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace})
	var locked *store.LockedError
	if !errors.As(err, &locked) || locked.HeldBy != id {
		t.Fatalf("rotation during the stopped re-import: %v; want *store.LockedError held by %s", err, id)
	}
	if err := w.eng.Resume(ctx, id); err != nil {
		t.Fatalf("resume: %v", err)
	}
	w.checkReimported(t, arn, k.Region, mat, count)
	w.checkReimportRun(t, id, arn, mat)
}

// checkReimported: no material of the key expires, the current material
// and the number of materials are unchanged.
func (w *world) checkReimported(t *testing.T, arn, region, mat string, count int) {
	t.Helper()
	ms := w.materials(t, arn, region)
	for _, m := range ms {
		if m.ValidTo != nil {
			t.Errorf("material %s still expires at %v", aws.ToString(m.KeyMaterialId), m.ValidTo)
		}
	}
	if cur := aws.ToString(w.describe(t, arn, region).CurrentKeyMaterialId); cur != mat || len(ms) != count {
		t.Errorf("current %s (want %s), %d materials (want %d)", cur, mat, len(ms), count)
	}
}

// checkReimportRun: the run succeeded, journaled every re-import step
// (and nothing else), released the key and left one audit entry.
func (w *world) checkReimportRun(t *testing.T, id store.RunID, arn, mat string) {
	t.Helper()
	ctx := context.Background()
	if r, err := w.st.GetRun(ctx, id); err != nil || r.Status != store.StatusSucceeded || r.Strategy != rotation.StrategyReimport {
		t.Fatalf("run %s: %+v, %v", id, r, err)
	}
	ev, err := w.st.Journal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	ended := map[store.Step]bool{}
	for _, e := range ev {
		if e.Phase == store.PhaseEnd {
			ended[e.Step] = true
		}
		if e.Step == store.StepHSMGenerate || e.Step == store.StepRotate {
			t.Errorf("re-import journaled step %s", e.Step)
		}
	}
	for _, s := range rotation.Steps(rotation.Reimport, true) {
		if !ended[s] && s != store.StepImportReplicas {
			t.Errorf("step %s never ended", s)
		}
	}
	if holder, status, err := w.st.LockHolder(ctx, arn); err == nil && !status.Finished() {
		t.Errorf("key still locked by %s (%s)", holder, status)
	}
	entries, err := w.log.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.RunID == id.String() {
			n++
			if e.Strategy != rotation.StrategyReimport || e.OldMaterialID != mat || e.NewMaterialID != mat || e.KeyARN != arn {
				t.Errorf("audit entry %+v", e)
			}
		}
	}
	if rep, err := w.log.Verify(ctx); n != 1 || err != nil || !rep.OK() {
		t.Errorf("%d audit entries for run %s (want 1); chain: %+v, %v", n, id, rep.Problems, err)
	}
}

// TestReimportExpiringMaterial: material byok imported that now expires is
// listed by the plan (not due for rotation), re-imported from its HSM
// object without expiry (same KeyMaterialId, no rotation, audited), and a
// second re-import changes nothing. A missing HSM object is an error that
// names the object.
func TestReimportExpiringMaterial(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	k := w.key(t, "alias/dev/s3")
	run, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace})
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	arn := aws.ToString(w.describe(t, k.AliasARN(), k.Region).Arn)
	mat := aws.ToString(w.describe(t, arn, k.Region).CurrentKeyMaterialId)
	w.setExpiry(t, k, arn, run, mat, 10*24*time.Hour)
	rotations := len(w.materials(t, arn, k.Region))

	plans, err := w.eng.PlanKeys(ctx, []estate.Key{k}, estate.StrategyInPlace)
	if err != nil {
		t.Fatal(err)
	}
	p := plans[0]
	if p.Due || len(p.Expiring) != 1 || p.Expiring[0].ID != mat || !p.Expiring[0].Reimportable() || p.Expiring[0].ImportedBy != run {
		t.Fatalf("plan: due %v, expiring %+v; want not due, %s re-importable from run %s", p.Due, p.Expiring, mat, run)
	}
	id, res, err := w.eng.Reimport(ctx, plans, "CHG-reimport")
	if err != nil || len(res) != 1 || res[0].AlreadyDone || len(res[0].BlobSHA256) != 64 || !res[0].Verification.OK() ||
		!res[0].Verification.OldDataChecked || res[0].RunID != id {
		t.Fatalf("reimport: %+v, %v", res, err)
	}
	if r, err := w.st.GetRun(ctx, id); err != nil || r.Strategy != rotation.StrategyReimport || r.Status != store.StatusSucceeded {
		t.Fatalf("re-import run %s: %+v, %v; want a succeeded run with strategy reimport", id, r, err)
	}
	for _, m := range w.materials(t, arn, k.Region) {
		if m.ValidTo != nil {
			t.Errorf("material %s still expires at %v", aws.ToString(m.KeyMaterialId), m.ValidTo)
		}
	}
	if n := len(w.materials(t, arn, k.Region)); n != rotations || aws.ToString(w.describe(t, arn, k.Region).CurrentKeyMaterialId) != mat {
		t.Errorf("the key was rotated: %d materials (was %d)", n, rotations)
	}

	_, again, err := w.eng.Reimport(ctx, plans, "CHG-reimport")
	if err != nil || len(again) != 1 || !again[0].AlreadyDone || again[0].BlobSHA256 != "" {
		t.Fatalf("second reimport with the same plan: %+v, %v; want already done, nothing imported", again, err)
	}
	entries, err := w.log.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reimports := 0
	for _, e := range entries {
		if e.Strategy == rotation.StrategyReimport && e.KeyARN == arn && e.OldMaterialID == mat && e.NewMaterialID == mat {
			reimports++
		}
	}
	if reimports != 2 {
		t.Errorf("%d reimport audit entries, want 2", reimports)
	}

	gone := plans[0]
	gone.Expiring = []rotation.ExpiringMaterial{p.Expiring[0]}
	gone.Expiring[0].HSMLabel = rotation.HSMLabel("r-20200101T000000Z-0000", k.Alias)
	_, _, err = w.eng.Reimport(ctx, []rotation.Plan{gone}, "")
	var re *rotation.ReimportError
	if !errors.As(err, &re) || !errors.Is(err, hsm.ErrObjectNotFound) || re.MaterialID != mat || re.Hint == "" {
		t.Fatalf("missing HSM object: %v, want a ReimportError wrapping hsm.ErrObjectNotFound", err)
	}
}

// setExpiry re-imports the run's material with a ValidTo, as `byok import
// --reimport --valid-for` does.
func (w *world) setExpiry(t *testing.T, k estate.Key, arn string, run store.RunID, mat string, in time.Duration) {
	t.Helper()
	ctx := context.Background()
	obj, err := w.hs.Find(ctx, rotation.KeyHSMLabel(run, k))
	if errors.Is(err, hsm.ErrObjectNotFound) { // an alias-only label (TestReimportSecondaryRegionObject)
		obj, err = w.hs.Find(ctx, rotation.HSMLabel(run, k.Alias))
	}
	if err != nil {
		t.Fatal(err)
	}
	im := &keyimport.Importer{KMS: w.admin(w.est.SecurityAccount, k.Region), HSM: w.hs, Algorithm: hsm.RSAES_OAEP_SHA_1, KeySpec: w.est.Policy.Wrapping.KeySpec}
	p, err := im.GetParameters(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	wr, err := im.Wrap(ctx, obj, p)
	if err != nil {
		t.Fatal(err)
	}
	validTo := w.sb.Now().Add(in)
	if _, err := im.Import(ctx, p, wr, keyimport.Import{Type: types.ImportTypeExistingKeyMaterial, Description: run.String(), MaterialID: mat, ValidTo: &validTo}); err != nil {
		t.Fatal(err)
	}
}
