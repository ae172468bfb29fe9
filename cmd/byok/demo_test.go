package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/demo"
	"github.com/byok-dev/byok/internal/demo/demotest"
)

// TestDemo runs `byok demo` in-process in a temp directory and checks its
// report: non-compliant before; after, only what the new-key rotation
// knowingly left (RDS on the retired key) and findings no rotation fixes;
// two runs with changed material and key; a clean watch that saw its
// control call; an intact audit chain. The HTML report must render in
// headless Chromium without console errors.
func TestDemo(t *testing.T) {
	if _, err := os.Stat(demo.DefaultModule); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("SoftHSM2 is missing under CI (%v): scripts/setup.sh must install softhsm2", err)
		}
		t.Skipf("\n\n*** SKIPPING the demo: %s is missing; run scripts/setup.sh ***\n", demo.DefaultModule)
	}
	isolateAWS(t)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	err := demoCmd(ctx, []string{"--dir", filepath.Join(dir, "demo"), "--report-dir", dir, "--no-color"}, &stdout, &stderr)
	t.Logf("byok demo took %s", time.Since(start))
	if err != nil {
		t.Fatalf("byok demo: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if strings.Contains(stdout.String(), "\x1b[") {
		t.Error("--no-color output contains ANSI escapes")
	}
	rep, err := demo.ReadReport(filepath.Join(dir, demo.JSONReportName))
	if err != nil {
		t.Fatal(err)
	}
	checkDemoReport(t, rep)
	demotest.Require(t)
	if _, errs, err := demotest.Render(ctx, filepath.Join(dir, demo.HTMLReportName), filepath.Join(dir, "report.png")); err != nil {
		t.Fatalf("render demo-report.html: %v %v", err, errs)
	}
}

func checkDemoReport(t *testing.T, rep demo.Report) {
	t.Helper()
	if !rep.OK || len(rep.Phases) != 9 {
		t.Fatalf("report OK=%v with %d phases, want OK with 9: %+v", rep.OK, len(rep.Phases), rep.Phases)
	}
	if n := rep.Before.ByVerdict["NON_COMPLIANT"]; n == 0 || n != len(rep.Before.NonCompliant) {
		t.Errorf("before: %d NON_COMPLIANT (%d listed), want some", n, len(rep.Before.NonCompliant))
	}
	retired := 0
	for _, l := range rep.Left {
		switch {
		case l.Class == demo.LeftRetiredKey && (l.Type == "rds-instance" || l.Type == "rds-cluster"):
			retired++
		case l.Class == demo.LeftNotKeyAge && l.Reason == "AWS_MANAGED_KEY":
		case l.Class == demo.LeftExpiring && l.Reason == "MATERIAL_EXPIRING":
			// the seed's expiring material is still there: a rotation adds
			// material, only a re-import extends the old one's ValidTo
		default:
			t.Errorf("still NON_COMPLIANT after the rotations: %+v", l)
		}
	}
	if retired == 0 {
		t.Error("after: no RDS resource left on the retired key; the new-key rotation should leave them")
	}
	if rep.After.ByVerdict["NON_COMPLIANT"] != len(rep.Left) || rep.After.Total != rep.Before.Total {
		t.Errorf("after: %d NON_COMPLIANT, %d classified, %d of %d resources", rep.After.ByVerdict["NON_COMPLIANT"], len(rep.Left), rep.After.Total, rep.Before.Total)
	}
	checkDemoRuns(t, rep)
	if !rep.Watch.ControlDetected || rep.Watch.RotationFailures != 0 {
		t.Errorf("watch: %+v, want the control call seen and no rotation failures", rep.Watch)
	}
	if !rep.Audit.Checked || !rep.Audit.OK || rep.Audit.Entries == 0 || len(rep.Audit.HeadHash) != 64 {
		t.Errorf("audit: %+v, want an intact chain", rep.Audit)
	}
}

func checkDemoRuns(t *testing.T, rep demo.Report) {
	t.Helper()
	if len(rep.Runs) != 2 || rep.Runs[0].Strategy != "in-place" || rep.Runs[1].Strategy != "new-key" {
		t.Fatalf("runs: %+v, want one in-place and one new-key", rep.Runs)
	}
	keys := 0
	for _, r := range rep.Runs {
		if r.Status != "succeeded" {
			t.Errorf("run %s: %s", r.ID, r.Status)
		}
		for _, k := range r.Keys {
			keys++
			if k.NewMaterialID == "" || k.NewMaterialID == k.OldMaterialID || len(k.Steps) == 0 {
				t.Errorf("run %s key %s: material %q → %q, %d steps", r.ID, k.Alias, k.OldMaterialID, k.NewMaterialID, len(k.Steps))
			}
			if r.Strategy == "new-key" && (k.NewKeyID == "" || k.NewKeyID == k.KeyARN) {
				t.Errorf("new-key run: key %s → %q", k.KeyARN, k.NewKeyID)
			}
		}
	}
	if rep.Audit.Entries != keys {
		t.Errorf("audit has %d entries, want one per rotated key (%d)", rep.Audit.Entries, keys)
	}
	for _, v := range rep.Verification {
		for _, c := range v.Checks {
			if !c.OldDataDecrypts || !c.NewDataOnNew || !c.EngineVerified {
				t.Errorf("verification of %s from %s: %+v", v.Alias, c.Account, c)
			}
		}
	}
}

// isolateAWS keeps ambient AWS configuration away from the demo.
func isolateAWS(t *testing.T) {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{"AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty,
		"AWS_PROFILE": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_ENDPOINT_URL": ""} {
		t.Setenv(k, v)
	}
}

func TestDemoFlags(t *testing.T) {
	var stderr bytes.Buffer
	err := demoCmd(context.Background(), []string{"extra"}, &stderr, &stderr)
	var ee *exitError
	if !asExit(err, &ee) || ee.Code != exitUsage {
		t.Fatalf("byok demo extra: %v, want exit %d", err, exitUsage)
	}
}

func asExit(err error, target **exitError) bool {
	e, ok := err.(*exitError)
	if ok {
		*target = e
	}
	return ok
}

func TestShellQuote(t *testing.T) {
	tests := map[string]string{
		"A=b":                 "A='b'",
		"BYOK_HSM=pkcs11:x&y": "BYOK_HSM='pkcs11:x&y'",
		"Q=it's":              `Q='it'\''s'`,
	}
	for in, want := range tests {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
