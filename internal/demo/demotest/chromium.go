// Package demotest renders the demo's HTML report in headless Chromium for
// tests and reports console errors. It is test support: it runs only the
// Debian chromium binary on a local file, with networking features off,
// and never touches the report.
package demotest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// ChromiumPath is Debian's chromium.
const ChromiumPath = "/usr/bin/chromium"

// ErrConsole means the page logged a console error or an uncaught exception.
var ErrConsole = errors.New("console errors while rendering")

// consoleError matches Chromium's logged console messages and uncaught
// exceptions (with --enable-logging=stderr --v=0), e.g.
// [..:INFO:CONSOLE(12)] "Uncaught ReferenceError: x is not defined", source: file:///… (12)
var consoleError = regexp.MustCompile(`(?i)(:CONSOLE\(\d+\)\].*(error|uncaught))|Uncaught |Failed to load resource`)

// Render loads file in headless Chromium, dumps the DOM and, when
// screenshot is set, writes a PNG. It returns the DOM and the console
// error lines (ErrConsole when there are any).
func Render(ctx context.Context, file, screenshot string) (string, []string, error) {
	profile, err := os.MkdirTemp("", "byok-chromium-")
	if err != nil {
		return "", nil, err
	}
	defer os.RemoveAll(profile)
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
		"--enable-logging=stderr", "--v=0"}
	dom, errs, err := run(ctx, append(base, "--dump-dom", "file://"+file))
	if err != nil {
		return "", errs, err
	}
	if screenshot != "" {
		_, more, err := run(ctx, append(base, "--hide-scrollbars", "--window-size=1280,2400", "--screenshot="+screenshot, "file://"+file))
		errs = append(errs, more...)
		if err != nil {
			return dom, errs, err
		}
	}
	if len(errs) > 0 {
		return dom, errs, fmt.Errorf("%w: %s", ErrConsole, strings.Join(errs, "; "))
	}
	return dom, nil, nil
}

func run(ctx context.Context, args []string) (string, []string, error) {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ChromiumPath, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", nil, fmt.Errorf("chromium: %w\n%s", err, stderr.String())
	}
	var errs []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if consoleError.MatchString(line) {
			errs = append(errs, strings.TrimSpace(line))
		}
	}
	return stdout.String(), errs, nil
}

// Require skips the test with a loud message when Chromium is missing,
// unless CI is set, where its absence fails the test (the setup script
// installs it).
func Require(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing under CI: scripts/setup.sh must apt-get install chromium", ChromiumPath)
	}
	t.Skipf("\n\n*** SKIPPING the HTML report rendering check: %s is not installed ***\n*** run scripts/setup.sh (apt-get install chromium) to run it ***\n", ChromiumPath)
}
