package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// TestDryRunEqualsRun: for every selector (--key, --env, --due, --plan)
// the JSON of --dry-run lists exactly the keys, strategies, decisions and
// steps that --yes then journals (request and ended steps per key). The
// keys are seeded overdue except alias/prod/s3, so --key rotates a key
// that is not due (as the operator asked) and --due skips it.
func TestDryRunEqualsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorldSeeded(t, nil, dueKillOpts())
	planFile := filepath.Join(w.dir, "plan.json")
	for _, sel := range [][]string{{"--key", dueKillNotDue}, {"--env", "dev", "--service", "dynamodb"}, {"--due"}, {"--plan", planFile}} {
		t.Run(sel[0], func(t *testing.T) {
			if sel[0] == "--plan" { // saved now: the runs above changed the keys
				if code, _, out := w.exec(t, nil, "plan", "--key", "alias/dev/s3", "--out", planFile); code != 0 {
					t.Fatalf("byok plan --out: exit %d\n%s", code, out)
				}
			}
			dry := w.dryRun(t, sel...)
			before := w.runIDs(t)
			args := append([]string{"rotate", "--yes", "--change-ref", "CHG-dry"}, sel...)
			if code, _, out := w.exec(t, nil, args...); code != 0 {
				t.Fatalf("byok %s: exit %d\n%s", strings.Join(args, " "), code, out)
			}
			w.compareWithJournal(t, dry, w.newRun(t, before))
		})
	}
}

// dryRun runs byok rotate --dry-run --format json and parses stdout.
func (w *rotWorld) dryRun(t *testing.T, sel ...string) rotation.SavedPlan {
	t.Helper()
	args := append([]string{"rotate", "--dry-run", "--format", "json"}, sel...)
	cmd := exec.Command(rotBinary(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("byok %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	sp, err := rotation.ParseSavedPlan(out.Bytes())
	if err != nil {
		t.Fatalf("dry run JSON: %v\n%s", err, out.String())
	}
	return sp
}

func (w *rotWorld) runIDs(t *testing.T) []store.RunID {
	t.Helper()
	st, err := store.OpenMode(context.Background(), w.statePath, store.ModeReadIfExists)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.ListRuns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []store.RunID
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	return ids
}

// newRun is the one run not in before.
func (w *rotWorld) newRun(t *testing.T, before []store.RunID) store.RunID {
	t.Helper()
	var fresh []store.RunID
	for _, id := range w.runIDs(t) {
		if !slices.Contains(before, id) {
			fresh = append(fresh, id)
		}
	}
	if len(fresh) != 1 {
		t.Fatalf("%d new runs, want 1: %v", len(fresh), fresh)
	}
	return fresh[0]
}

// compareWithJournal: the run's request is the dry run's keys with the
// same strategy and decision, and each admitted key journaled exactly the
// dry run's steps.
func (w *rotWorld) compareWithJournal(t *testing.T, dry rotation.SavedPlan, id store.RunID) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rqs, err := st.ListRequestKeys(ctx, id)
	if err != nil || len(rqs) != len(dry.Keys) {
		t.Fatalf("run %s request %+v (%v); dry run had %d keys", id, rqs, err, len(dry.Keys))
	}
	evs, err := st.Journal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range dry.Keys {
		i := slices.IndexFunc(rqs, func(rq store.RequestKey) bool { return rq.Alias == k.Alias && rq.Region == k.Region })
		if i < 0 {
			t.Errorf("%s: in the dry run, not in the run's request", k.Alias)
			continue
		}
		rq := rqs[i]
		if rq.Strategy != k.Strategy || rq.Admission.String() != k.Admission {
			t.Errorf("%s: dry run %s/%s, run %s/%s (%s)", k.Alias, k.Strategy, k.Admission, rq.Strategy, rq.Admission, rq.Reason)
		}
		var ended []string
		for _, ev := range evs {
			if ev.KeyARN == rq.KeyARN && ev.Phase == store.PhaseEnd && rq.KeyARN != "" {
				ended = append(ended, ev.Step.String())
			}
		}
		if !slices.Equal(ended, k.Steps) {
			t.Errorf("%s: dry run steps %v, journal %v", k.Alias, k.Steps, ended)
		}
	}
	w.compareRunsShowJSON(t, dry, id)
}

// compareRunsShowJSON: runs show --format json carries the request (the
// selector and every key with strategy and admission) and each run key's
// strategy.
func (w *rotWorld) compareRunsShowJSON(t *testing.T, dry rotation.SavedPlan, id store.RunID) {
	t.Helper()
	code, out := w.inproc("runs", "show", "--format", "json", id.String())
	var got runJSON
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || got.Request == nil {
		t.Fatalf("runs show --format json: exit %d, %v\n%s", code, err, out)
	}
	var sel rotation.Selector
	if err := json.Unmarshal(got.Request.Selector, &sel); err != nil || sel != dry.Selector {
		t.Errorf("runs show selector %s, dry run %+v", got.Request.Selector, dry.Selector)
	}
	if len(got.Request.Keys) != len(dry.Keys) {
		t.Fatalf("runs show request %+v, dry run %d keys", got.Request.Keys, len(dry.Keys))
	}
	for _, k := range dry.Keys {
		i := slices.IndexFunc(got.Request.Keys, func(r requestKeyJSON) bool { return r.Alias == k.Alias && r.Region == k.Region })
		if i < 0 || got.Request.Keys[i].Strategy != k.Strategy || got.Request.Keys[i].Admission != k.Admission {
			t.Errorf("%s: runs show request %+v, dry run %s/%s", k.Alias, got.Request.Keys, k.Strategy, k.Admission)
		}
	}
	for _, rk := range got.Keys {
		if rk.Strategy == "" {
			t.Errorf("runs show key %s has no strategy", rk.KeyARN)
		}
	}
}

// TestSavedPlanRefusedAfterChange: a plan saved for alias/dev/s3 is
// refused once the sandbox moved that alias to another key behind byok's
// back; the refusal names the key and what changed, and no run starts.
func TestSavedPlanRefusedAfterChange(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorldSeeded(t, nil, dueKillOpts())
	planFile := filepath.Join(w.dir, "plan.json")
	if code, _, out := w.exec(t, nil, "plan", "--due", "--out", planFile); code != 0 {
		t.Fatalf("byok plan --out: exit %d\n%s", code, out)
	}
	var other string
	for _, k := range w.seeded.Keys {
		if k.Alias == "alias/dev/dynamodb" {
			other = k.KeyARN
		}
	}
	_, err := w.kms("eu-west-1").UpdateAlias(context.Background(), &kms.UpdateAliasInput{AliasName: aws.String("alias/dev/s3"), TargetKeyId: aws.String(other)})
	if err != nil {
		t.Fatal(err)
	}
	code, _, out := w.exec(t, nil, "rotate", "--plan", planFile, "--yes")
	if code != 1 || !strings.Contains(out, "alias/dev/s3 (eu-west-1): alias target was") || !strings.Contains(out, "changed since the plan was saved") {
		t.Fatalf("rotate --plan after the alias moved: exit %d\n%s", code, out)
	}
	if ids := w.runIDs(t); len(ids) != 0 {
		t.Errorf("a refused plan started runs %v", ids)
	}
}
