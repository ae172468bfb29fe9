package metrics

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/byok-dev/byok/internal/serve/view"
	"github.com/byok-dev/byok/internal/serve/view/viewtest"
)

// TestMetricsParse: the exposition of a large state parses with the
// Prometheus text parser and carries one series per key and bucket.
func TestMetricsParse(t *testing.T) {
	st := viewtest.State(50, 3000)
	srv := httptest.NewServer(Handler(func() view.State { return st }))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fams["byok_key_material_age_seconds"].GetMetric()); n != 50 {
		t.Errorf("%d age series, want 50", n)
	}
	total := 0.0
	for _, m := range fams["byok_resources"].GetMetric() {
		total += m.GetGauge().GetValue()
	}
	if total != 3000 {
		t.Errorf("byok_resources sums to %v, want 3000", total)
	}
	if n := len(fams["byok_key_material_expiry_seconds"].GetMetric()); n != 1 {
		t.Errorf("%d expiry series, want 1 (only key 0 has an expiring material)", n)
	}
}

// BenchmarkMetrics: /metrics for 1,000 keys and 30,000 resources (issue 12:
// p99 < 50 ms).
func BenchmarkMetrics(b *testing.B) {
	st := viewtest.State(1000, 30000)
	srv := httptest.NewServer(Handler(func() view.State { return st }))
	defer srv.Close()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		resp, err := http.Get(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 1<<16)
		for {
			if _, err := resp.Body.Read(buf); err != nil {
				break
			}
		}
		resp.Body.Close()
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
