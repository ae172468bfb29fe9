package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/demo/demotest"
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
		"Expiring material re-imported without expiry", rep.Reimports[0].MaterialID, "Fixes applied by resource owners (not byok)", rep.Remediations[0].Action} {
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
