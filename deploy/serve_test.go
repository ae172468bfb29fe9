package deploy_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestPrometheusRules runs promtool check rules on the example rules
// (Debian's prometheus package; scripts/setup.sh installs it).
func TestPrometheusRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool is missing under CI: scripts/setup.sh must apt-get install prometheus")
		}
		t.Skip("promtool not installed (apt-get install prometheus, or run scripts/setup.sh)")
	}
	out, err := exec.Command(promtool, "check", "rules", "prometheus/byok-rules.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "SUCCESS: 10 rules found") {
		t.Fatalf("promtool: %s", out)
	}
}

// metricNameRE finds byok metric names in the rules.
var metricNameRE = regexp.MustCompile(`byok_[a-z_]+`)

// TestRulesNameServeMetrics: every byok_ metric a rule names is one byok
// serve exports (internal/serve/metrics), so a renamed metric breaks here.
func TestRulesNameServeMetrics(t *testing.T) {
	rules, err := os.ReadFile("prometheus/byok-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../internal/serve/metrics/metrics.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range metricNameRE.FindAllString(string(rules), -1) {
		if !strings.Contains(string(src), `"`+name+`"`) {
			t.Errorf("rule names %s, which byok serve does not export", name)
		}
	}
}

// TestSystemdUnitHardened checks the unit keeps its hardening lines.
func TestSystemdUnitHardened(t *testing.T) {
	unit, err := os.ReadFile("systemd/byok-serve.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/byok", "ProtectHome=yes",
		"PrivateTmp=yes", "CapabilityBoundingSet=\n", "User=byok", "ExecStart=/usr/local/bin/byok serve --listen 127.0.0.1:8443"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("byok-serve.service lacks %q", strings.TrimSpace(want))
		}
	}
	if sa, err := exec.LookPath("systemd-analyze"); err == nil {
		out, err := exec.Command(sa, "verify", "systemd/byok-serve.service").CombinedOutput()
		// verify complains about the absent binary and user on a build machine; only syntax errors matter.
		if err != nil && strings.Contains(string(out), "Unknown key") {
			t.Errorf("systemd-analyze verify: %s", out)
		}
	}
}
