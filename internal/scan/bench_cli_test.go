package scan_test

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// BenchmarkScan300x2x500 is issue 13's benchmark: 300 accounts × 2 Regions
// × 500 resources (300,000), 20 ms latency on every call, AWS quotas on,
// scanned by the byok binary (`byok scan --format csv --out FILE`) in a
// child process, so its peak RSS (getrusage's ru_maxrss of the child) is
// the scan's alone: the sandbox holding 300,000 resources runs in the
// benchmark's own process. The report is then read back: every resource
// exactly once, in report order. The bound is shape.bound (here the
// ListKeyRotations quota: 900 estate keys per Region at 5/s).
func BenchmarkScan300x2x500(b *testing.B) {
	benchScanCLI(b, shape{accounts: 300, regions: 2, instances: 175, clusters: 25, tables: 150, buckets: 150})
}

// BenchmarkScan300x2x32 has the accounts and Regions of
// BenchmarkScan300x2x500 with 32 resources per target: what the scan's
// memory owes to the estate's size rather than to the resources.
func BenchmarkScan300x2x32(b *testing.B) {
	benchScanCLI(b, shape{accounts: 300, regions: 2, instances: 10, clusters: 2, tables: 10, buckets: 10})
}

// BenchmarkScanCLI3x1x200 is the small variant of the same path.
func BenchmarkScanCLI3x1x200(b *testing.B) {
	benchScanCLI(b, shape{accounts: 3, regions: 1, instances: 60, clusters: 10, tables: 65, buckets: 65})
}

func benchScanCLI(b *testing.B, s shape) {
	s.latency, s.services = 20*time.Millisecond, 3
	s.inventory = inventory.Options{Concurrency: inventory.DefaultConcurrency, PerTarget: inventory.DefaultPerTarget}
	bin := buildByok(b)
	start := time.Now()
	env := newBenchEnv(b, s)
	b.Logf("sandbox seeded with %d resources in %s", s.accounts*s.regions*s.resources(), time.Since(start).Round(time.Second))
	dir := b.TempDir()
	estateFile := filepath.Join(dir, "byok.yaml")
	if err := os.WriteFile(estateFile, []byte(benchEstateYAML(s)), 0o600); err != nil {
		b.Fatal(err)
	}
	env.sb.SetFaults([]faults.Rule{{Latency: s.latency}}, true)
	var wall time.Duration
	var rss int64
	out := filepath.Join(dir, "report.csv")
	b.ResetTimer()
	for range b.N {
		env.sb.Counters().Reset()
		cmd := exec.Command(bin, "scan", "--estate", estateFile, "--accounts", strings.Join(env.consumers, ","),
			"--format", "csv", "--out", out, "--fail-on", "none")
		cmd.Env = append(os.Environ(), "BYOK_HSM_PIN=unused")
		if g := os.Getenv("BYOK_BENCH_CHILD_GODEBUG"); g != "" {
			cmd.Env = append(cmd.Env, "GODEBUG="+g)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		hwm := watchHWM(cmd.Process.Pid)
		err := cmd.Wait()
		wall = time.Since(t0)
		rss = <-hwm
		if err != nil {
			b.Fatalf("byok scan: %v\n%s", err, stderr.String())
		}
		if f := os.Getenv("BYOK_BENCH_CHILD_STDERR"); f != "" { // e.g. with GODEBUG=gctrace=1
			_ = os.WriteFile(f, []byte(stderr.String()), 0o600)
		}
	}
	b.StopTimer()
	n := checkReport(b, out)
	if want := s.accounts * s.regions * s.resources(); n != want {
		b.Fatalf("%d results in the report, want %d", n, want)
	}
	var calls int64
	for _, c := range env.sb.Counters().Snapshot() {
		calls += c.Calls
	}
	bound := s.bound()
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(float64(calls), "calls")
	b.ReportMetric(float64(s.minCalls()), "min-calls")
	b.ReportMetric(bound.Seconds(), "bound-s")
	b.ReportMetric(wall.Seconds()/bound.Seconds(), "ratio")
	b.ReportMetric(float64(rss)/(1<<20), "scan-peak-RSS-MB")
	b.ReportMetric(float64(n), "results-once")
	b.ReportMetric(0, "ns/op")
}

// watchHWM polls the VmHWM (peak resident set) of process pid every 20 ms
// until it exits and sends the last value read. getrusage's ru_maxrss
// cannot be used: Go starts children with CLONE_VM, and Linux records the
// parent's peak RSS (here the sandbox's, hundreds of MB) into the child's
// maxrss at exec. VmHWM belongs to the child's own address space, and is
// monotonic, so the last read before exit misses at most 20 ms of growth.
func watchHWM(pid int) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var last int64
		path := "/proc/" + strconv.Itoa(pid) + "/status"
		for {
			raw, err := os.ReadFile(path)
			if err != nil {
				out <- last
				return
			}
			if v := statusKB(string(raw), "VmHWM:"); v > 0 {
				last = v << 10
			} else if strings.Contains(string(raw), "State:\tZ") {
				out <- last
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return out
}

// statusKB reads a "Key: N kB" line of /proc/PID/status (0 when absent).
func statusKB(status, key string) int64 {
	for _, line := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return kb
			}
		}
	}
	return 0
}

// buildByok builds the byok binary of this module into a temporary
// directory.
func buildByok(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "byok")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/byok-dev/byok/cmd/byok")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// checkReport reads the CSV report row by row and fails unless every
// resource appears once, all COMPLIANT, in report order (account, Region,
// type, name). It returns the number of results.
func checkReport(b *testing.B, path string) int {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil { // header
		b.Fatal(err)
	}
	seen := map[string]bool{}
	var prev [4]string
	n := 0
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
		// account, region, resource_type, resource_id, resource_name, resource_arn, …, verdict (9)
		id := row[0] + "/" + row[1] + "/" + row[2] + "/" + row[3]
		if seen[id] {
			b.Fatalf("row %d: %s twice", n, id)
		}
		seen[id] = true
		cur := [4]string{row[0], row[1], row[2], row[4]}
		if n > 1 && compareRow(prev, cur) > 0 {
			b.Fatalf("row %d: %v after %v: not in report order", n, cur, prev)
		}
		prev = cur
		if row[9] != "COMPLIANT" {
			b.Fatalf("row %d: %s is %s (%s)", n, id, row[9], row[11])
		}
	}
}

func compareRow(a, b [4]string) int {
	for i := range a {
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}
