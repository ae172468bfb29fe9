package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

const (
	runsKeyA = "arn:aws:kms:eu-west-1:111111111111:key/aaaaaaaa-0000-0000-0000-000000000001"
	runsKeyB = "arn:aws:kms:eu-west-1:111111111111:key/bbbbbbbb-0000-0000-0000-000000000002"
)

// runsSeed writes a finished run and an interrupted one and returns the
// state path and both IDs.
func runsSeed(t *testing.T) (path string, done, open store.RunID) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "state.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC)
	done, open = store.NewRunID(t0), store.NewRunID(t0.Add(time.Hour))
	for _, r := range []store.Run{
		{ID: done, Strategy: rotation.InPlace.String(), ChangeRef: "CHG-1", Operator: "arn:aws:sts::111111111111:assumed-role/op/alice", Status: store.StatusSucceeded, Created: t0},
		{ID: open, Strategy: rotation.InPlace.String(), ChangeRef: "CHG-2", Operator: "arn:aws:sts::111111111111:assumed-role/op/bob", Status: store.StatusRunning, Created: t0.Add(time.Hour)},
	} {
		must(t, st.CreateRun(ctx, r))
		must(t, st.AddRunKey(ctx, r.ID, runsKeyA))
	}
	must(t, st.AddRunKey(ctx, open, runsKeyB))
	for _, s := range []store.Step{store.StepPlan, store.StepCanaries, store.StepHSMGenerate} {
		must(t, st.BeginStep(ctx, open, runsKeyA, s, nil))
		must(t, st.EndStep(ctx, open, runsKeyA, s, nil))
	}
	must(t, st.BeginStep(ctx, open, runsKeyA, store.StepWrap, nil))
	must(t, st.PutCanary(ctx, open, runsKeyA, store.Canary{Account: "222222222222", Region: "eu-west-1", Ciphertext: []byte("canary-ciphertext-from-dev-account")}))
	must(t, st.UpdateRunKey(ctx, open, runsKeyA, func(k *store.RunKey) error {
		k.OldMaterialID, k.HSMLabel, k.BlobSHA256 = "mat-old-1", "byok-"+string(open), strings.Repeat("c3", 32)
		return nil
	}))
	must(t, st.BeginStep(ctx, open, runsKeyB, store.StepPlan, nil))
	must(t, st.FailStep(ctx, open, runsKeyB, store.StepPlan, "pending material not imported by byok", nil))
	return path, done, open
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunsList(t *testing.T) {
	path, done, open := runsSeed(t)
	code, out, errOut := cliRun(t, "runs", "list", "--state", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	iOpen, iDone := strings.Index(out, string(open)), strings.Index(out, string(done))
	if iOpen < 0 || iDone < 0 || iOpen > iDone {
		t.Fatalf("want both runs, newest first:\n%s", out)
	}
	if !strings.Contains(out, "running") || !strings.Contains(out, "succeeded") || !strings.Contains(out, "CHG-2") {
		t.Fatalf("missing status or change ref:\n%s", out)
	}
}

func TestRunsShow(t *testing.T) {
	path, done, open := runsSeed(t)
	code, out, errOut := cliRun(t, "runs", "show", string(open), "--state", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"wrap (begun, not finished)", "plan (failed)", "pending material not imported by byok",
		"mat-old-1 -> -", "222222222222 eu-west-1 Y2FuYXJ5LWNpcGhl…", strings.Repeat("c3", 32),
		"resume with: byok resume --state " + path + " " + string(open), // the follow-up names the invocation's --state
	} {
		if !strings.Contains(out, want) {
			t.Errorf("runs show lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "canary-ciphertext-from-dev-account") {
		t.Error("full canary ciphertext printed; want a short prefix")
	}
	_, out, _ = cliRun(t, "runs", "show", "--state", path, string(done))
	if strings.Contains(out, "resume with") {
		t.Errorf("finished run offers resume:\n%s", out)
	}
}

func TestRunsErrors(t *testing.T) {
	path, _, _ := runsSeed(t)
	tests := map[string]struct {
		args []string
		code int
		want string
	}{
		"no run":        {[]string{"runs", "show", "--state", path}, 64, "expected one RUN"},
		"bad run id":    {[]string{"runs", "show", "run-7", "--state", path}, 64, "expected e.g. r-"},
		"unknown run":   {[]string{"runs", "show", "r-20200101T000000Z-0000", "--state", path}, 1, "not in"},
		"missing state": {[]string{"runs", "list", "--state", filepath.Join(t.TempDir(), "nope.db")}, 1, "creates it"},
		"extra arg":     {[]string{"runs", "list", "--state", path, "x"}, 64, "unexpected argument"},
		"bad flag":      {[]string{"runs", "list", "--stat", path}, 64, "flag provided but not defined"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := cliRun(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d stderr %q; want exit %d mentioning %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

func TestRunsDefaultStatePath(t *testing.T) {
	path, _, open := runsSeed(t)
	t.Setenv(store.EnvStatePath, path)
	code, out, errOut := cliRun(t, "runs", "list")
	if code != 0 || !strings.Contains(out, string(open)) {
		t.Fatalf("exit %d, stdout %q stderr %q", code, out, errOut)
	}
}

// TestRunArgsEveryCommand: every command taking a RUN parses it with the
// one parser (runArgs): the same usage errors, exit 64, naming the command.
func TestRunArgsEveryCommand(t *testing.T) {
	id := "r-20261127T010203Z-3fa9"
	for _, cmd := range [][]string{{"resume"}, {"rollback"}, {"runs", "show"}, {"runs", "abandon"}} {
		name := strings.Join(cmd, " ")
		cases := map[string]struct {
			args []string
			want string
		}{
			"none":   {nil, "expected one RUN, e.g. byok " + name},
			"two":    {[]string{id, id}, "unexpected argument"},
			"bad id": {[]string{"--state", "x.db", "run-7"}, "RUN \"run-7\""},
		}
		for cname, tc := range cases {
			code, _, errOut := cliRun(t, append(append([]string{}, cmd...), tc.args...)...)
			// the --help hint carries the invocation's non-default flags (followup.go)
			if code != 64 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "(see byok "+name) || !strings.Contains(errOut, "--help)") {
				t.Errorf("%s %s: exit %d stderr %q; want 64 mentioning %q", name, cname, code, errOut, tc.want)
			}
		}
	}
}
