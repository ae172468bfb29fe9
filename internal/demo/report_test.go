package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/demo/demotest"
	"github.com/byok-dev/byok/internal/migrate"
)

// fixture is a report written by a real demo run (see testdata/README).
func fixture(t *testing.T) Report {
	t.Helper()
	rep, err := ReadReport(filepath.Join("testdata", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestRenderHTMLContent(t *testing.T) {
	rep := fixture(t)
	var b bytes.Buffer
	if err := renderHTML(&b, &rep); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{"Compliance per account and service", "Rotation timeline", rep.Runs[0].ID,
		rep.Runs[0].Keys[0].NewMaterialID, rep.Audit.HeadHash, "class=\"bar s-import",
		"Expiring material re-imported without expiry", rep.Reimports[0].MaterialID, "Fixes applied by resource owners (not byok)", rep.Remediations[0].Action,
		"Migrations (byok migrate)", rep.Migrations[0].Name, rep.Migrations[0].Method, rep.Migrations[0].OldKey + " → " + rep.Migrations[0].NewKey,
		"Retired keys (byok retire)", rep.Retirements[0].KeyARN, rep.Retirements[0].Deleted[0], "Still readable after the retirement", rep.Readable[0].Name,
		"copied, 0 skipped (already on the new key), 0 locked"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", `src="http`, `href="http`, "url(", "<link", "@import"} {
		if strings.Contains(html, banned) {
			t.Errorf("HTML report is not self-contained: contains %q", banned)
		}
	}
}

// TestReportFixtureMigration: the fixture (a real run) carries the
// migration and retirement facts the HTML shows; a run that lost them
// fails here.
func TestReportFixtureMigration(t *testing.T) {
	rep := fixture(t)
	if len(rep.Migrations) != 3 || len(rep.Retirements) != 2 || len(rep.Readable) == 0 {
		t.Fatalf("fixture: %d migrations, %d retirements, %d readable", len(rep.Migrations), len(rep.Retirements), len(rep.Readable))
	}
	old := map[string]bool{}
	for _, m := range rep.Migrations {
		old[m.OldKey] = true
		bucket := m.Method == string(migrate.MethodS3)
		if m.Status != "done" || len(m.Steps) == 0 || m.OldKey == m.NewKey || (!bucket && !m.IdentifierKept) || (bucket && (m.Objects == nil || m.Objects.Copied == 0)) {
			t.Errorf("migration %+v", m)
		}
	}
	for _, r := range rep.Retirements {
		if r.KeyState != "Disabled" || !old[r.KeyARN] {
			t.Errorf("retirement %+v", r)
		}
	}
}

func TestRenderHTMLEscapes(t *testing.T) {
	rep := fixture(t)
	rep.Before.NonCompliant = append(rep.Before.NonCompliant, Finding{Name: `<img src=x onerror=alert(1)>`, Detail: `"><script>`})
	var b bytes.Buffer
	if err := renderHTML(&b, &rep); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<img src=x") || strings.Contains(b.String(), "<script>") {
		t.Fatal("resource names reach the HTML unescaped")
	}
}

// TestHTMLInChromium renders the fixture's HTML in headless Chromium and
// fails on any console error.
func TestHTMLInChromium(t *testing.T) {
	demotest.Require(t)
	rep := fixture(t)
	dir := t.TempDir()
	_, htmlPath, err := writeReports(dir, &rep)
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	if keep := os.Getenv("BYOK_DEMO_SCREENSHOT"); keep != "" {
		shot = keep
	}
	dom, errs, err := demotest.Render(context.Background(), htmlPath, shot)
	if err != nil {
		t.Fatalf("render: %v (console: %v)", err, errs)
	}
	if !strings.Contains(dom, "Rotation timeline") {
		t.Fatalf("rendered DOM lacks the timeline:\n%.2000s", dom)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Fatalf("screenshot %s missing or blank: %v", shot, err)
	}
}
