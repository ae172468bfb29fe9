package dashboard

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/serve/view/viewtest"
)

// p99 runs get b.N times over HTTP and reports the 99th percentile latency.
func p99(b *testing.B, url string) {
	b.Helper()
	client := &http.Client{}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		resp, err := client.Get(url)
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
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d", url, resp.StatusCode)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkOverview: the overview of 1,000 keys with 30,000 resources in
// the state (issue 12: p99 < 50 ms).
func BenchmarkOverview(b *testing.B) {
	srv := server(b, viewtest.State(1000, 30000))
	p99(b, srv.URL+"/")
}

// BenchmarkFindingsFiltered: one account's findings among 30,000.
func BenchmarkFindingsFiltered(b *testing.B) {
	srv := server(b, viewtest.State(1000, 30000))
	p99(b, srv.URL+"/findings?account=222222222223")
}
