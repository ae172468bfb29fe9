package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// importAlias is a single-Region key of the rotation world.
const importAlias = "alias/dev/s3"

// importFailpoints are the boundaries of strategy s where a kill test
// SIGKILLs byok import: the request journaled, the key admitted, each
// step before and after, and after the import or the audit entry took
// effect but before the journal says so.
func importFailpoints(s rotation.Strategy) []string {
	fps := []string{"request:after", "admit:after", "import:unrecorded", "record:unrecorded"}
	for _, step := range rotation.Steps(s, false) {
		fps = append(fps, step.String()+":before", step.String()+":after")
	}
	return fps
}

// TestImportKillAtEveryStep: byok import of a key's first material is a
// journaled run of the import procedure. SIGKILLed at every boundary,
// byok resume finishes it with exactly one material in the key (described
// with the run ID), exactly one HSM object for the run, one audit entry,
// the run in runs list/show, and a second byok import a no-op that says
// so. One world serves every boundary: each case points the alias at a
// fresh key awaiting material.
func TestImportKillAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	for _, fp := range importFailpoints(rotation.ImportFirst) {
		t.Run(fp, func(t *testing.T) {
			keyID := w.awaitingMaterial(t, importAlias)
			_, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=" + fp}, "import", "--key", importAlias, "--yes", "--change-ref", "CHG-import")
			if !killed {
				t.Fatalf("failpoint %s did not kill byok import:\n%s", fp, out)
			}
			id := w.lastRun(t)
			if code, _, out := w.exec(t, nil, "resume", id.String()); code != 0 {
				t.Fatalf("byok resume %s after kill at %s: exit %d\n%s", id, fp, code, out)
			}
			w.checkImportEnd(t, keyID, id, rotation.ImportFirst)
		})
	}
}

// TestImportExistingKillAtEveryStep: byok import --reimport of material
// whose imported copy was deleted (ImportState PENDING_IMPORT, key
// PendingImport), SIGKILLed at every boundary and resumed: the same
// material imported again, no HSM object made for the re-import run, one
// audit entry, and old ciphertexts decrypt again.
func TestImportExistingKillAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("process kill test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	ctx := context.Background()
	for _, fp := range importFailpoints(rotation.ImportExisting) {
		t.Run(fp, func(t *testing.T) {
			keyID := w.awaitingMaterial(t, importAlias)
			if code, out := w.inproc("import", "--key", importAlias, "--yes"); code != 0 {
				t.Fatalf("first import: exit %d\n%s", code, out)
			}
			first := w.lastRun(t)
			enc, err := w.kms("eu-west-1").Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(importAlias), Plaintext: []byte("kept")})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.kms("eu-west-1").DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(keyID)}); err != nil {
				t.Fatal(err)
			}
			_, killed, out := w.exec(t, []string{rotation.FailpointEnv + "=" + fp}, "import", "--key", importAlias, "--reimport", "--yes")
			if !killed {
				t.Fatalf("failpoint %s did not kill byok import --reimport:\n%s", fp, out)
			}
			id := w.lastRun(t)
			if id == first {
				t.Fatalf("no re-import run recorded before the kill at %s", fp)
			}
			if code, _, out := w.exec(t, nil, "resume", id.String()); code != 0 {
				t.Fatalf("byok resume %s after kill at %s: exit %d\n%s", id, fp, code, out)
			}
			w.checkImportEnd(t, keyID, id, rotation.ImportExisting)
			w.checkHSMObject(t, rotation.HSMLabel(first, importAlias))
			dec, err := w.kms("eu-west-1").Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
			if err != nil || string(dec.Plaintext) != "kept" {
				t.Errorf("a ciphertext made before the deletion does not decrypt after the re-import: %v", err)
			}
		})
	}
}

// checkImportEnd: the key is Enabled with exactly one material, imported;
// the HSM holds one object for the run (none for a re-import run); the
// run succeeded with the procedure's steps and one audit entry; a second
// import is a no-op that says so; no PIN anywhere.
func (w *rotWorld) checkImportEnd(t *testing.T, keyID string, id store.RunID, s rotation.Strategy) {
	t.Helper()
	d := w.describeKey(t, keyID)
	_, mats := w.materials(t, aws.ToString(d.Arn), "eu-west-1")
	if d.KeyState != types.KeyStateEnabled || len(mats) != 1 || mats[0].ImportState != types.ImportStateImported {
		t.Fatalf("after the import: key %s, materials %+v", d.KeyState, mats)
	}
	wantObjects := map[rotation.Strategy]int{rotation.ImportFirst: 1, rotation.ImportExisting: 0}[s]
	if n := w.hsmObjects(t, rotation.HSMLabel(id, importAlias)); n != wantObjects {
		t.Errorf("%d HSM objects labelled for run %s, want %d", n, id, wantObjects)
	}
	if s == rotation.ImportFirst && aws.ToString(mats[0].KeyMaterialDescription) != id.String() {
		t.Errorf("material described %q, want the run ID %s", aws.ToString(mats[0].KeyMaterialDescription), id)
	}
	w.checkImportJournal(t, id, s, aws.ToString(d.Arn))
	args := map[rotation.Strategy][]string{rotation.ImportFirst: {"import", "--key", importAlias, "--yes"},
		rotation.ImportExisting: {"import", "--key", importAlias, "--reimport", "--yes"}}[s]
	if code, out := w.inproc(args...); code != 0 || !strings.Contains(out, "nothing to import") {
		t.Errorf("second byok %s: exit %d, want a no-op that says so\n%s", strings.Join(args, " "), code, out)
	}
	if code, out := w.inproc("runs", "show", id.String()); code != 0 || !strings.Contains(out, "step:       done") || !strings.Contains(out, s.String()) {
		t.Errorf("byok runs show %s: exit %d\n%s", id, code, out)
	}
	w.checkNoPIN(t)
}

// checkImportJournal: the run succeeded, journaled exactly the
// procedure's steps, and has one audit entry; the chain verifies.
func (w *rotWorld) checkImportJournal(t *testing.T, id store.RunID, s rotation.Strategy, arn string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := st.GetRun(ctx, id)
	evs, _ := st.Journal(ctx, id)
	l, err := audit.Open(ctx, st)
	var es []audit.Entry
	if err == nil {
		es, err = l.List(ctx)
	}
	st.Close()
	if err != nil || r.Status != store.StatusSucceeded || r.Strategy != s.String() {
		t.Fatalf("run %s: %s, strategy %s: %v", id, r.Status, r.Strategy, err)
	}
	var ended []string
	for _, ev := range evs {
		if ev.Phase == store.PhaseEnd {
			ended = append(ended, ev.Step.String())
		}
	}
	if want := stepList(rotation.Steps(s, false)); strings.Join(ended, " → ") != want {
		t.Errorf("journal %v, want %s", ended, want)
	}
	n := 0
	for _, e := range es {
		if e.RunID == id.String() && e.KeyARN == arn && e.Strategy == s.String() {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d audit entries for run %s, want 1", n, id)
	}
	if code, out := w.inproc("audit", "verify"); code != 0 {
		t.Errorf("audit verify: exit %d\n%s", code, out)
	}
}

// hsmObjects counts the token's objects labelled label.
func (w *rotWorld) hsmObjects(t *testing.T, label string) int {
	t.Helper()
	s, err := hsm.Open(context.Background(), w.tok.ParsedURI(t), hsm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	objs, err := s.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range objs {
		if o.Label == label {
			n++
		}
	}
	return n
}
