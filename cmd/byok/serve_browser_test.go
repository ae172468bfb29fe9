package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/byok-dev/byok/internal/demo/demotest"
)

// screenshotDir is where the dashboard screenshots go, for people to look
// at: $BYOK_TEST_ARTIFACTS when set, else a fixed folder under TMPDIR.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("BYOK_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(rotOrigTmp, "byok-serve-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts Debian's chromium headless with a fresh profile and
// collects console errors and uncaught exceptions.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	demotest.Require(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(demotest.ChromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, m.String())
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func (b *browser) do(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) strings(t *testing.T, expr string) []string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a condition in the page until it holds; evaluation errors
// while the page navigates are retried. The deadline only guards a hang.
func (b *browser) waitFor(t *testing.T, cond string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the page never satisfied %s", cond)
}

func (b *browser) shot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(screenshotDir(t), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// TestServeDashboardInChromium: byok serve on the sandbox with the demo
// estate, seen by real Chromium: the overview lists the six aliases with
// their ages and marks the overdue ones; the findings filter narrows by
// account; a run's page shows its step timeline; no console error.
func TestServeDashboardInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the sandbox, SoftHSM2 and chromium")
	}
	w := newServeWorld(t, serveTestYAML(""), nil, time.Time{})
	w.start(t, realClock{})
	res, err := w.svc.RotateKey(context.Background(), "alias/prod/s3", "the browser test")
	if err != nil || len(res.RunIDs) != 1 {
		t.Fatalf("rotate alias/prod/s3: %+v %v", res, err)
	}
	b := newBrowser(t)
	checkOverview(t, b, w.http.URL)
	checkFindingsFilter(t, b, w.http.URL)
	checkRunTimeline(t, b, w.http.URL+"/runs/"+res.RunIDs[0])
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Fatalf("console errors: %v", errs)
	}
}

func checkOverview(t *testing.T, b *browser, url string) {
	t.Helper()
	b.do(t, "overview", chromedp.Navigate(url+"/"), chromedp.WaitVisible("#keys"))
	aliases := b.strings(t, `[...document.querySelectorAll("#keys tr[data-alias]")].map(r => r.dataset.alias)`)
	ages := b.strings(t, `[...document.querySelectorAll("#keys tr[data-alias] .age")].map(e => e.textContent)`)
	overdue := b.strings(t, `[...document.querySelectorAll("#keys tr[data-alias]")].filter(r => r.querySelector(".overdue")).map(r => r.dataset.alias)`)
	want := []string{"alias/dev/s3", "alias/dev/rds", "alias/dev/dynamodb", "alias/prod/s3", "alias/prod/rds", "alias/prod/dynamodb"}
	if !sameSet(aliases, want) {
		t.Errorf("overview aliases %v, want %v", aliases, want)
	}
	ageOf := map[string]string{}
	for i, a := range aliases {
		if i < len(ages) {
			ageOf[a] = ages[i]
		}
	}
	// seed.Demo: dev/rds 400 days, prod/rds 420; prod/s3 was just rotated.
	for alias, age := range map[string]string{"alias/dev/rds": "400 days", "alias/prod/rds": "420 days", "alias/prod/s3": "0 days", "alias/dev/s3": "30 days"} {
		if ageOf[alias] != age {
			t.Errorf("%s shows age %q, want %q", alias, ageOf[alias], age)
		}
	}
	if !sameSet(overdue, []string{"alias/dev/rds", "alias/prod/rds"}) {
		t.Errorf("overdue marked on %v, want alias/dev/rds and alias/prod/rds", overdue)
	}
	b.shot(t, "serve-overview.png")
}

func checkFindingsFilter(t *testing.T, b *browser, url string) {
	t.Helper()
	const rows = `[...document.querySelectorAll("#findings tbody tr")].map(r => r.dataset.account)`
	b.do(t, "findings", chromedp.Navigate(url+"/findings?verdict="), chromedp.WaitVisible("#findings"))
	all := b.strings(t, rows)
	b.do(t, "filter by account", chromedp.SetValue("#f-account", "222222222222"), chromedp.Click("#f-apply"))
	b.waitFor(t, `location.search.includes("account=222222222222") && document.readyState === "complete"`)
	b.do(t, "filtered findings", chromedp.WaitVisible("#findings"))
	filtered := b.strings(t, rows)
	if len(filtered) == 0 || len(filtered) >= len(all) {
		t.Fatalf("filter by account: %d rows of %d", len(filtered), len(all))
	}
	for _, a := range filtered {
		if a != "222222222222" {
			t.Fatalf("filtered findings contain account %s", a)
		}
	}
	b.shot(t, "serve-findings-dev.png")
}

func checkRunTimeline(t *testing.T, b *browser, url string) {
	t.Helper()
	b.do(t, "run page", chromedp.Navigate(url), chromedp.WaitVisible("ol.timeline"))
	steps := b.strings(t, `[...document.querySelectorAll("ol.timeline li strong")].map(e => e.textContent)`)
	joined := strings.Join(steps, " ")
	for _, want := range []string{"plan", "canaries", "hsm-generate", "get-parameters", "wrap", "import", "rotate", "verify", "record"} {
		if !strings.Contains(joined, want) {
			t.Errorf("run timeline lacks step %s: %v", want, steps)
		}
	}
	b.shot(t, "serve-run-timeline.png")
}

func sameSet(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	m := map[string]bool{}
	for _, g := range got {
		m[g] = true
	}
	for _, w := range want {
		if !m[w] {
			return false
		}
	}
	return true
}
