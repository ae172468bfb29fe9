package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// planRow matches a byok plan table row: alias, age in days, rotations used, due.
var planRow = regexp.MustCompile(`(?m)^(alias/\S+)\s+(\d+)d\s+.*?\s(\d+)/25\s+(\S+)\s`)

// TestServeMetricsMatchPlanAndScan: /metrics parses with the Prometheus
// text parser, and its values are those of byok plan and byok scan
// --format json at the same moment.
func TestServeMetricsMatchPlanAndScan(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the sandbox")
	}
	w := newServeWorld(t, serveTestYAML(""), nil, time.Time{})
	w.start(t, realClock{})
	fams := scrape(t, w.http.URL+"/metrics")

	var planOut bytes.Buffer
	if code := run(context.Background(), []string{"plan"}, &planOut, &planOut); code != 0 {
		t.Fatalf("byok plan: exit %d\n%s", code, planOut.String())
	}
	rows := planRow.FindAllStringSubmatch(planOut.String(), -1)
	if len(rows) != 6 {
		t.Fatalf("byok plan rows: %d\n%s", len(rows), planOut.String())
	}
	for _, r := range rows {
		alias := r[1]
		age, _ := strconv.Atoi(r[2])
		used, _ := strconv.Atoi(r[3])
		if got := int(math.Floor(gauge(t, fams, "byok_key_material_age_seconds", "alias", alias) / 86400)); got != age {
			t.Errorf("%s: metrics age %d days, plan %d", alias, got, age)
		}
		if got := int(gauge(t, fams, "byok_key_rotations_remaining", "alias", alias)); got != 25-used {
			t.Errorf("%s: metrics rotations remaining %d, plan used %d", alias, got, used)
		}
		due := gauge(t, fams, "byok_key_due", "alias", alias) == 1
		if want := regexp.MustCompile(`rotate`).MatchString(r[4]); due != want {
			t.Errorf("%s: metrics due %v, plan %q", alias, due, r[4])
		}
	}

	var scanOut, scanErr bytes.Buffer
	if code := run(context.Background(), []string{"scan", "--format", "json", "--fail-on", "none"}, &scanOut, &scanErr); code != 0 {
		t.Fatalf("byok scan: exit %d\n%s", code, scanErr.String())
	}
	var rep struct {
		Results []struct{ Account, Verdict, Reason string } `json:"results"`
	}
	if err := json.Unmarshal(scanOut.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	want := map[[3]string]float64{}
	for _, r := range rep.Results {
		want[[3]string{r.Verdict, r.Reason, r.Account}]++
	}
	got := map[[3]string]float64{}
	for _, m := range fams["byok_resources"].GetMetric() {
		l := labels(m)
		got[[3]string{l["verdict"], l["reason"], l["account"]}] += m.GetGauge().GetValue()
	}
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("byok_resources groups %v, scan %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%v: metrics %v, scan %v", k, got[k], n)
		}
	}
	for _, name := range []string{"byok_last_scan_timestamp_seconds", "byok_audit_chain_ok", "byok_hsm_up"} {
		if len(fams[name].GetMetric()) != 1 {
			t.Errorf("%s missing", name)
		}
	}
	if gauge(t, fams, "byok_scheduler_next_run_timestamp_seconds", "job", "expiry-check") <= 0 {
		t.Error("no next run time for the expiry check")
	}
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func gauge(t *testing.T, fams map[string]*dto.MetricFamily, name, label, value string) float64 {
	t.Helper()
	for _, m := range fams[name].GetMetric() {
		if labels(m)[label] == value {
			return m.GetGauge().GetValue()
		}
	}
	t.Errorf("%s{%s=%q} missing", name, label, value)
	return math.NaN()
}
