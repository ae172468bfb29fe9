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
// report: NON_COMPLIANT before (overdue, expiring and AWS-managed-key
// findings); after the re-import, the rotations, the migration of what
// the new-key rotation left (the RDS instance, the Aurora cluster, the
// archive bucket and its objects), the retirement of both old keys and
// the resource owners' fixes, everything COMPLIANT; two runs with changed
// material and key; the expiring material re-imported without expiry;
// every object and canary readable, none under a retired key; a clean
// watch that saw its control call; an intact audit chain. The HTML report must render in headless Chromium
// without console errors.
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

// demoMigrated is what the new-key rotation of alias/prod/rds and
// alias/prod/s3 leaves on the old keys and the migrate phase moves onto
// the new ones: prod's RDS instance and Aurora cluster (its members move
// with it), and prod's archive bucket with its objects.
var demoMigrated = map[string]string{"prod-db": "rds-snapshot-copy-restore", "prod-aurora": "aurora-cluster-snapshot-copy-restore",
	"byok-demo-prod-archive": "s3-default-encryption-and-copy-in-place"}

// demoMigratedAlias is the alias whose old key each migrated resource was on.
var demoMigratedAlias = map[string]string{"prod-db": "alias/prod/rds", "prod-aurora": "alias/prod/rds", "byok-demo-prod-archive": "alias/prod/s3"}

// demoArchiveObjects is how many objects the archive bucket holds.
const demoArchiveObjects = 40

func checkDemoReport(t *testing.T, rep demo.Report) {
	t.Helper()
	if !rep.OK || len(rep.Phases) != 13 {
		t.Fatalf("report OK=%v with %d phases, want OK with 13: %+v", rep.OK, len(rep.Phases), rep.Phases)
	}
	checkDemoBefore(t, rep)
	checkDemoAfter(t, rep)
	checkDemoRuns(t, rep)
	checkDemoReimport(t, rep)
	checkDemoMigrations(t, rep)
	checkDemoRetirement(t, rep)
	checkDemoReadable(t, rep)
	if !rep.Watch.ControlDetected || rep.Watch.RotationFailures != 0 {
		t.Errorf("watch: %+v, want the control call seen and no rotation failures", rep.Watch)
	}
	if !rep.Audit.Checked || !rep.Audit.OK || rep.Audit.Entries == 0 || len(rep.Audit.HeadHash) != 64 || len(rep.Audit.Problems) > 0 {
		t.Errorf("audit: %+v, want an intact chain", rep.Audit)
	}
}

// checkDemoBefore: the first scan finds each kind of finding the story fixes.
func checkDemoBefore(t *testing.T, rep demo.Report) {
	t.Helper()
	if n := rep.Before.ByVerdict["NON_COMPLIANT"]; n == 0 || n != len(rep.Before.NonCompliant) {
		t.Errorf("before: %d NON_COMPLIANT (%d listed), want some", n, len(rep.Before.NonCompliant))
	}
	for _, reason := range []string{"MATERIAL_OVERDUE", "MATERIAL_EXPIRING", "AWS_MANAGED_KEY"} {
		if rep.Before.ByReason[reason] == 0 {
			t.Errorf("before: no %s finding: %v", reason, rep.Before.ByReason)
		}
	}
}

// checkDemoAfter: after the migration and the retirement, everything is
// compliant; the originals the migration kept were deleted by their owner
// (the estate has exactly as many resources as before).
func checkDemoAfter(t *testing.T, rep demo.Report) {
	t.Helper()
	for _, l := range rep.Left {
		t.Errorf("still NON_COMPLIANT after the story: %+v", l)
	}
	a := rep.After
	if a.Total != rep.Before.Total || a.ByVerdict["NON_COMPLIANT"] != 0 || a.ByVerdict["COMPLIANT"] != a.Total || len(a.Errors) > 0 {
		t.Errorf("after: %v of %d resources (errors %v), want all %d COMPLIANT", a.ByVerdict, a.Total, a.Errors, rep.Before.Total)
	}
	checkDemoRemediations(t, rep)
}

// newKeyRun is the report's new-key rotation of alias/prod/rds and
// alias/prod/s3: by alias, old key ARN → new key.
func newKeyRun(t *testing.T, rep demo.Report) map[string]demo.RunKey {
	t.Helper()
	for _, r := range rep.Runs {
		if r.Strategy == "new-key" && len(r.Keys) == 2 {
			out := map[string]demo.RunKey{}
			for _, k := range r.Keys {
				out[k.Alias] = k
			}
			if out["alias/prod/rds"].KeyARN != "" && out["alias/prod/s3"].KeyARN != "" {
				return out
			}
		}
	}
	t.Fatalf("no new-key run of alias/prod/rds and alias/prod/s3 in %+v", rep.Runs)
	return nil
}

// checkDemoMigrations: the prod instance, cluster and archive bucket
// moved from their old key to the new one, every step done, the database
// identifiers kept, every archive object copied.
func checkDemoMigrations(t *testing.T, rep demo.Report) {
	t.Helper()
	nk := newKeyRun(t, rep)
	if len(rep.Migrations) != len(demoMigrated) {
		t.Fatalf("migrations: %+v, want %v", rep.Migrations, demoMigrated)
	}
	for _, m := range rep.Migrations {
		k := nk[demoMigratedAlias[m.Name]]
		if demoMigrated[m.Name] != m.Method || m.Status != "done" || m.OldKey != k.KeyARN || !strings.HasSuffix(m.NewKey, k.NewKeyID) || m.NewKey == m.OldKey {
			t.Errorf("migration %s: %s %s, %s → %s; want %s done from %s onto %s", m.Name, m.Method, m.Status, m.OldKey, m.NewKey, demoMigrated[m.Name], k.KeyARN, k.NewKeyID)
		}
		steps := map[string]bool{}
		for _, sp := range m.Steps {
			steps[sp.Step] = sp.OK
		}
		want := []string{"writers-stopped", "snapshot", "copy-snapshot", "restore", "switch", "verify", "stop-old", "record"}
		if m.Method == "s3-default-encryption-and-copy-in-place" {
			want = []string{"plan", "default-encryption", "reencrypt", "verify", "record"}
			if o := m.Objects; o == nil || o.Copied != demoArchiveObjects || o.AlreadyOnTarget != 0 || o.Locked != 0 || m.WritersStopped != "" {
				t.Errorf("bucket migration %s: objects %+v writers %q, want %d copied, none skipped, online", m.Name, o, m.WritersStopped, demoArchiveObjects)
			}
		} else if !m.IdentifierKept || m.Identifier != m.Name || m.Endpoint == "" || !strings.Contains(m.WritersStopped, "operator") {
			t.Errorf("migration %s: identifier %q kept=%v endpoint %q writers %q", m.Name, m.Identifier, m.IdentifierKept, m.Endpoint, m.WritersStopped)
		}
		for _, w := range want {
			if !steps[w] {
				t.Errorf("migration %s: step %s not done: %+v", m.Name, w, m.Steps)
			}
		}
	}
}

// checkDemoRetirement: both old keys are Disabled by succeeded retire
// runs, the RDS key's after the owner deleted the originals kept for
// rollback.
func checkDemoRetirement(t *testing.T, rep demo.Report) {
	t.Helper()
	nk := newKeyRun(t, rep)
	if len(rep.Retirements) != 2 {
		t.Fatalf("retirements: %+v, want the two old keys of the new-key run", rep.Retirements)
	}
	got := map[string]demo.Retirement{}
	for _, r := range rep.Retirements {
		got[r.KeyARN] = r
		if r.KeyState != "Disabled" || r.Status != "succeeded" || r.RunID == "" || r.Judged == "" {
			t.Errorf("retirement: %+v, want Disabled by a succeeded run", r)
		}
	}
	r, ok := got[nk["alias/prod/rds"].KeyARN]
	if _, s3ok := got[nk["alias/prod/s3"].KeyARN]; !ok || !s3ok {
		t.Fatalf("retirements %+v, want the old keys %s and %s", rep.Retirements, nk["alias/prod/rds"].KeyARN, nk["alias/prod/s3"].KeyARN)
	}
	deleted := strings.Join(r.Deleted, " ")
	for name, alias := range demoMigratedAlias {
		if alias == "alias/prod/rds" && !strings.Contains(deleted, name+"-byok-old-") {
			t.Errorf("retirement: the kept original of %s was not deleted first: %v", name, r.Deleted)
		}
	}
}

// checkDemoReadable: the application's three S3 objects, every archive
// object (on the new S3 key) and every canary read back, none under a
// retired key.
func checkDemoReadable(t *testing.T, rep demo.Report) {
	t.Helper()
	nk := newKeyRun(t, rep)
	objects, archived, canaries := 0, 0, 0
	for _, p := range rep.Readable {
		if !p.OK || p.KeyID == "" || p.KeyID == nk["alias/prod/rds"].KeyARN || p.KeyID == nk["alias/prod/s3"].KeyARN {
			t.Errorf("not readable, or read under a retired key: %+v", p)
		}
		switch p.Kind {
		case "s3-object":
			objects++
			if strings.HasPrefix(p.Name, "byok-demo-prod-archive/") {
				archived++
				if !strings.HasSuffix(p.KeyID, nk["alias/prod/s3"].NewKeyID) {
					t.Errorf("archive object %s on %s, want the new key %s", p.Name, p.KeyID, nk["alias/prod/s3"].NewKeyID)
				}
			}
		case "canary":
			canaries++
			if k, ok := nk[p.Name]; ok && !strings.HasSuffix(p.KeyID, k.NewKeyID) {
				t.Errorf("canary of %s decrypted by %s, want the new key %s", p.Name, p.KeyID, k.NewKeyID)
			}
		}
	}
	if objects != 3+demoArchiveObjects || archived != demoArchiveObjects || canaries == 0 {
		t.Errorf("readable: %d objects (%d archived) and %d canaries, want %d objects and the canaries", objects, archived, canaries, 3+demoArchiveObjects)
	}
}

// demoOwnerFixes are the seed's findings no rotation fixes, which the
// resource owners fix in the story (resource → finding).
var demoOwnerFixes = map[string]string{
	"s3-bucket byok-demo-prod-uploads":        "AWS_MANAGED_KEY",
	"s3-bucket byok-demo-dev-legacy-exports":  "UNENCRYPTED",
	"s3-bucket byok-demo-prod-legacy-exports": "UNENCRYPTED",
	"s3-bucket byok-demo-dev-logs":            "ALIAS_RESOLVES_IN_RESOURCE_ACCOUNT",
	"s3-bucket byok-demo-prod-logs":           "ALIAS_RESOLVES_IN_RESOURCE_ACCOUNT",
	"dynamodb-table dev-sessions":             "NOT_KMS_ENCRYPTED",
	"dynamodb-table prod-sessions":            "NOT_KMS_ENCRYPTED",
	"dynamodb-table dev-scratch":              "KEY_OUTSIDE_ESTATE",
}

// checkDemoRemediations: exactly the owner-fixable findings were fixed,
// each by its resource's owner.
func checkDemoRemediations(t *testing.T, rep demo.Report) {
	t.Helper()
	got := map[string]string{}
	for _, r := range rep.Remediations {
		got[r.Resource] = r.Finding
		if !r.OK || !strings.Contains(r.Owner, "resource owner") || r.Action == "" {
			t.Errorf("remediation %+v: want an applied fix by the resource owner", r)
		}
	}
	if len(got) != len(demoOwnerFixes) || len(rep.Remediations) != len(demoOwnerFixes) {
		t.Errorf("remediations: %v, want %v", got, demoOwnerFixes)
	}
	for res, finding := range demoOwnerFixes {
		if got[res] != finding {
			t.Errorf("remediation of %s: %q, want %q", res, got[res], finding)
		}
	}
}

// checkDemoReimport: the expiring material came back without expiry, same
// material (old data decrypts), verified.
func checkDemoReimport(t *testing.T, rep demo.Report) {
	t.Helper()
	if len(rep.Reimports) != 1 {
		t.Fatalf("reimports: %+v, want the expiring key's material", rep.Reimports)
	}
	r := rep.Reimports[0]
	if r.Alias != "alias/dev/dynamodb" || r.MaterialID == "" || len(r.BlobSHA256) != 64 || !r.NoExpiry || !r.Verified || !r.OldDataDecrypts {
		t.Errorf("reimport: %+v", r)
	}
	for _, run := range rep.Runs {
		for _, k := range run.Keys {
			if k.Alias == r.Alias {
				t.Errorf("run %s rotated %s, which only needed a re-import", run.ID, k.Alias)
			}
		}
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
	if want := keys + len(rep.Reimports) + len(rep.Migrations) + len(rep.Retirements); rep.Audit.Entries != want {
		t.Errorf("audit has %d entries, want one per rotated key (%d), re-imported material (%d), migrated resource (%d) and retired key (%d)",
			rep.Audit.Entries, keys, len(rep.Reimports), len(rep.Migrations), len(rep.Retirements))
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
