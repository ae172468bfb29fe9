package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// reimportFixture is the byok-imported material a re-import test makes
// expire again and again.
type reimportFixture struct {
	run          store.RunID // the rotation that imported the material
	arn, replica string
	material     string
	count        int // materials of the key (a re-import adds none)
}

// firstRotation rotates the key with the binary so that its current
// material is byok's (description = run ID, HSM object labelled with it).
func (w *rotWorld) firstRotation(t *testing.T) reimportFixture {
	t.Helper()
	if code, _, out := w.exec(t, nil, "rotate", "--key", rotAlias, "--yes", "--change-ref", "CHG-first"); code != 0 {
		t.Fatalf("first rotation: exit %d\n%s", code, out)
	}
	f := reimportFixture{run: w.lastRun(t)}
	f.arn, f.replica = w.rotKey(t)
	cur, mats := w.materials(t, f.arn, "eu-west-1")
	f.material, f.count = cur, len(mats)
	return f
}

// expire re-imports the material with a ValidTo 10 days ahead (inside the
// 30-day warning window) into the replica and the primary, as
// `byok import --reimport --valid-for` would.
func (w *rotWorld) expire(t *testing.T, f reimportFixture) {
	t.Helper()
	ctx := context.Background()
	s, err := hsm.Open(ctx, w.tok.ParsedURI(t), hsm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	obj, err := s.Find(ctx, rotation.HSMLabel(f.run, rotAlias))
	if err != nil {
		t.Fatal(err)
	}
	validTo := w.sb.Now().Add(10 * 24 * time.Hour)
	for region, arn := range map[string]string{"eu-central-1": f.replica, "eu-west-1": f.arn} {
		im := &keyimport.Importer{KMS: w.kms(region), HSM: s, Algorithm: hsm.RSAES_OAEP_SHA_1, KeySpec: w.est.Policy.Wrapping.KeySpec}
		p, err := im.GetParameters(ctx, arn)
		if err != nil {
			t.Fatal(err)
		}
		wr, err := im.Wrap(ctx, obj, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := im.Import(ctx, p, wr, keyimport.Import{Type: types.ImportTypeExistingKeyMaterial,
			Description: f.run.String(), MaterialID: f.material, ValidTo: &validTo}); err != nil {
			t.Fatal(err)
		}
	}
}

// killAndResumeReimport makes the material expire, runs byok rotate --due
// with the failpoint, expects SIGKILL, resumes and checks the end state.
func (w *rotWorld) killAndResumeReimport(t *testing.T, f reimportFixture, fp string) {
	t.Helper()
	w.expire(t, f)
	_, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=" + fp}, "rotate", "--due", "--key", rotAlias, "--yes", "--change-ref", "CHG-reimport")
	if !killed {
		t.Fatalf("failpoint %s did not kill byok rotate --due:\n%s", fp, out)
	}
	id := w.lastRun(t)
	if id == f.run {
		t.Fatalf("byok rotate --due recorded no re-import run before the kill at %s:\n%s", fp, out)
	}
	if code, _, out := w.exec(t, nil, "resume", id.String()); code != 0 {
		t.Fatalf("byok resume %s after kill at %s: exit %d\n%s", id, fp, code, out)
	}
	w.checkReimportEnd(t, f, id)
}

// checkReimportEnd: in the primary and the replica the material is still
// there, current, and no material expires; nothing was rotated; the HSM
// object is kept and no new one made; the run shows in runs list/show;
// exactly one audit entry for it and an intact chain.
func (w *rotWorld) checkReimportEnd(t *testing.T, f reimportFixture, id store.RunID) {
	t.Helper()
	for region, arn := range map[string]string{"eu-west-1": f.arn, "eu-central-1": f.replica} {
		cur, mats := w.materials(t, arn, region)
		if cur != f.material || len(mats) != f.count {
			t.Errorf("%s: current %s (want %s), %d materials (want %d)", region, cur, f.material, len(mats), f.count)
		}
		for _, m := range mats {
			if m.ValidTo != nil {
				t.Errorf("%s: material %s still expires at %v", region, aws.ToString(m.KeyMaterialId), m.ValidTo)
			}
		}
	}
	w.checkHSMObject(t, rotation.HSMLabel(f.run, rotAlias))
	w.checkNoObject(t, rotation.HSMLabel(id, rotAlias))
	w.checkReimportAudit(t, f, id)
	if code, out := w.inproc("runs", "list", "--state", w.statePath); code != 0 || !strings.Contains(out, id.String()) || !strings.Contains(out, rotation.StrategyReimport) {
		t.Errorf("byok runs list: exit %d, want run %s with strategy reimport:\n%s", code, id, out)
	}
	if code, out := w.inproc("runs", "show", id.String(), "--state", w.statePath); code != 0 || !strings.Contains(out, "step:       done") ||
		!strings.Contains(out, f.material+" (re-imported without expiry") {
		t.Errorf("byok runs show %s: exit %d\n%s", id, code, out)
	}
	w.checkNoPIN(t)
}

func (w *rotWorld) checkNoObject(t *testing.T, label string) {
	t.Helper()
	s, err := hsm.Open(context.Background(), w.tok.ParsedURI(t), hsm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Find(context.Background(), label); err == nil {
		t.Errorf("the re-import generated HSM object %s", label)
	}
}

func (w *rotWorld) checkReimportAudit(t *testing.T, f reimportFixture, id store.RunID) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := audit.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	es, err := l.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.RunID != id.String() {
			continue
		}
		n++
		if e.Strategy != rotation.StrategyReimport || e.OldMaterialID != f.material || e.NewMaterialID != f.material || e.KeyARN != f.arn {
			t.Errorf("audit entry: strategy %s, %s → %s, key %s", e.Strategy, e.OldMaterialID, e.NewMaterialID, e.KeyARN)
		}
	}
	run, err := st.GetRun(ctx, id)
	if err != nil || n != 1 || run.Status != store.StatusSucceeded || run.Strategy != rotation.StrategyReimport {
		t.Errorf("run %s: %+v (%v), %d audit entries; want a succeeded reimport run with one", id, run, err, n)
	}
	if code, out := w.inproc("audit", "verify", "--state", w.statePath); code != 0 {
		t.Errorf("byok audit verify: exit %d\n%s", code, out)
	}
}
