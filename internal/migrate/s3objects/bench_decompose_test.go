package s3objects_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/byok-dev/byok/internal/sandbox/delay"
)

// durations are call times per operation, reported as one line each.
type durations struct {
	mu sync.Mutex
	d  map[string][]time.Duration
}

func newDurations() *durations { return &durations{d: map[string][]time.Duration{}} }

func (t *durations) add(op string, d time.Duration) {
	t.mu.Lock()
	t.d[op] = append(t.d[op], d)
	t.mu.Unlock()
}

// report writes, per operation: calls, mean, p50, p90, p99, max.
func (t *durations) report(w io.Writer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ops := make([]string, 0, len(t.d))
	for op := range t.d {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	for _, op := range ops {
		ds := t.d[op]
		slices.Sort(ds)
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		q := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
		fmt.Fprintf(w, "%-34s calls %6d mean %6.2fms p50 %6.2fms p90 %6.2fms p99 %6.2fms max %6.2fms\n",
			op, len(ds), ms(sum/time.Duration(len(ds))), ms(q(0.5)), ms(q(0.9)), ms(q(0.99)), ms(ds[len(ds)-1]))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// timedHandler serves the sandbox and notes how long its handler takes
// per S3 operation (injected latency included): the client's time minus
// this is the HTTP round trip's own cost (both sides' scheduling, the
// connection's reads and writes).
func timedHandler(h http.Handler, t *durations) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		t.add("sandbox handler "+s3Op(r), time.Since(start))
	})
}

func s3Op(r *http.Request) string {
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodHead:
		return "HeadObject"
	case r.Method == http.MethodPut && r.Header.Get("x-amz-copy-source") != "":
		return "CopyObject"
	case r.Method == http.MethodGet && q.Get("list-type") == "2":
		return "ListObjectsV2"
	case r.Method == http.MethodGet && q.Has("versions"):
		return "ListObjectVersions"
	case r.Method == http.MethodGet && q.Has("versioning"):
		return "GetBucketVersioning"
	}
	return strings.ToLower(r.Method)
}

// floor measures, on this machine at this moment, a bare HTTP round trip
// through the same latency injection (a handler that only waits
// latency, a plain client, n requests in flight for about two seconds):
// what no S3 work or SDK adds, so a loaded machine shows in the result.
func floor(latency time.Duration, n int) (mean, p50 time.Duration) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		delay.Sleep(r.Context(), latency)
		_, _ = io.WriteString(w, "<ok/>")
	}))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 128}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	t := newDurations()
	end := time.Now().Add(2 * time.Second)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for time.Now().Before(end) {
				start := time.Now()
				resp, err := c.Get(srv.URL)
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				t.add("floor", time.Since(start))
			}
		})
	}
	wg.Wait()
	ds := t.d["floor"]
	if len(ds) == 0 {
		return 0, 0
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds)), ds[len(ds)/2]
}
