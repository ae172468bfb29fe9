package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/store"
)

// End-state checks shared by the kill and resume tests.

// checkEnd: exactly one new CURRENT material in the primary and the
// replica, no pending material, the HSM object kept, one audit entry for
// the run and an intact chain (byok audit verify).
func (w *rotWorld) checkEnd(t *testing.T, id store.RunID, arn, replica, oldCur string, oldCount int) {
	t.Helper()
	cur, mats := w.materials(t, arn, "eu-west-1")
	if cur == oldCur || len(mats) != oldCount+1 {
		t.Errorf("primary: current %s → %s, %d → %d materials", oldCur, cur, oldCount, len(mats))
	}
	for _, region := range []string{"eu-west-1", "eu-central-1"} {
		k := arn
		if region == "eu-central-1" {
			k = replica
		}
		rc, ms := w.materials(t, k, region)
		currents := 0
		for _, m := range ms {
			if m.KeyMaterialState == types.KeyMaterialStateCurrent {
				currents++
			}
			if strings.HasPrefix(string(m.KeyMaterialState), "PENDING") {
				t.Errorf("%s: orphan pending material %s (%s)", region, *m.KeyMaterialId, m.KeyMaterialState)
			}
		}
		if rc != cur || currents != 1 {
			t.Errorf("%s: current %s (want %s), %d CURRENT materials", region, rc, cur, currents)
		}
	}
	w.checkHSMObject(t, hsm.LabelPrefix+id.String()+":"+rotAlias)
	w.checkAudit(t, id)
	w.checkNoPIN(t)
}

// checkNoPIN: the HSM PIN is in neither byok's output nor the state files.
func (w *rotWorld) checkNoPIN(t *testing.T) {
	t.Helper()
	files, _ := filepath.Glob(w.statePath + "*")
	if len(files) == 0 || w.output.Len() == 0 {
		t.Fatalf("nothing to search: %v, %d bytes of output", files, w.output.Len())
	}
	hay := [][]byte{w.output.Bytes()}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		hay = append(hay, b)
	}
	for _, h := range hay {
		if bytes.Contains(h, []byte(w.tok.PIN)) {
			t.Fatal("the HSM PIN appeared in byok's output or state")
		}
	}
}

func (w *rotWorld) checkHSMObject(t *testing.T, label string) {
	t.Helper()
	s, err := hsm.Open(context.Background(), w.tok.ParsedURI(t), hsm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Find(context.Background(), label); err != nil {
		t.Errorf("HSM object %s: %v", label, err)
	}
}

func (w *rotWorld) checkAudit(t *testing.T, id store.RunID) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	es, err := l.List(ctx)
	run, rerr := st.GetRun(ctx, id)
	st.Close()
	n := 0
	for _, e := range es {
		if e.RunID == id.String() {
			n++
		}
	}
	if err != nil || rerr != nil || n != 1 || run.Status != store.StatusSucceeded {
		t.Errorf("run %s: status %v, %d audit entries (%v, %v)", id, run.Status, n, err, rerr)
	}
	if code, out := w.inproc("audit", "verify", "--state", w.statePath); code != 0 {
		t.Errorf("byok audit verify: exit %d\n%s", code, out)
	}
}
