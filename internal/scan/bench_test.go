package scan_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/scan"
)

// The benchmark's lower bound.
//
// Calls that cannot be avoided, per target (account × region) holding I
// RDS instances, C clusters, T tables and B buckets (RDS and DynamoDB list
// at most 100 per page, S3 ListBuckets 1,000):
//
//	RDS       ceil(I/100) DescribeDBInstances + ceil(C/100) DescribeDBClusters
//	DynamoDB  ceil(T/100) ListTables + T DescribeTable (SSE is only in DescribeTable)
//	S3        ceil(B/1000) ListBuckets + B GetBucketEncryption
//
// plus, per Security-account region holding K estate keys, one ListAliases
// page per 100 aliases, K DescribeKey and K ListKeyRotations, and one
// AssumeRole per account reached (credentials are cached per account).
//
// Time: every call costs the injected latency L, and a client keeps at
// most P calls in flight (P = inventory Concurrency × PerTarget, the
// describe fan-out), so the inventory needs at least Ninv × L / P.
// ListKeyRotations is limited to 5 per second per account and Region; the
// sandbox's token bucket (like AWS's) holds one second of tokens, so K
// calls in one region need at least (K − 5)/5 s, after the chain that
// must precede them (AssumeRole, then ListAliases to learn the keys) and
// plus the last call's own latency: 3L + (K − 5)/5 s. The key facts of
// estate keys are read while the inventory lists, so the bound is the
// larger of the two.
// Every other quota (RDS 12/s per target, DescribeKey 100/s, DynamoDB
// control plane 2,500/s, S3 5,500/s, STS 600/s) is far from binding at
// these sizes and so adds nothing.
type shape struct {
	accounts, regions                    int
	instances, clusters, tables, buckets int
	latency                              time.Duration
	inventory                            inventory.Options
	services                             int // estate services (s3, rds, dynamodb)
}

func (s shape) resources() int { return s.instances + s.clusters + s.tables + s.buckets }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// minCalls is the number of unavoidable API calls of one scan.
func (s shape) minCalls() int {
	perTarget := max(1, ceilDiv(s.instances, 100)) + max(1, ceilDiv(s.clusters, 100)) +
		max(1, ceilDiv(s.tables, 100)) + s.tables + max(1, ceilDiv(s.buckets, 1000)) + s.buckets
	keysPerRegion := s.accounts * s.services
	kms := s.regions * (max(1, ceilDiv(keysPerRegion, 100)) + 2*keysPerRegion)
	sts := s.accounts + 1 // verify role per consumer account, operator role for the Security account
	return s.accounts*s.regions*perTarget + kms + sts
}

// bound is the shortest possible scan (see the comment on shape).
func (s shape) bound() time.Duration {
	inflight := s.inventory.Concurrency * s.inventory.PerTarget
	invCalls := s.minCalls() - s.regions*2*s.accounts*s.services
	inv := s.latency + time.Duration(invCalls)*s.latency/time.Duration(inflight) // AssumeRole first
	keys := s.accounts * s.services
	rot := 3*s.latency + time.Duration(float64(max(0, keys-5))/5*float64(time.Second))
	return max(inv, rot)
}

// BenchmarkScan30x2x500 is the benchmark: 30 accounts × 2 Regions
// × 500 resources (30,000), 20 ms latency on every call, AWS quotas on.
func BenchmarkScan30x2x500(b *testing.B) {
	benchScan(b, shape{accounts: 30, regions: 2, instances: 175, clusters: 25, tables: 150, buckets: 150})
}

// BenchmarkScan3x1x200 is the small variant for CI.
func BenchmarkScan3x1x200(b *testing.B) {
	benchScan(b, shape{accounts: 3, regions: 1, instances: 60, clusters: 10, tables: 65, buckets: 65})
}

func benchScan(b *testing.B, s shape) {
	s.latency, s.services = 20*time.Millisecond, 3
	s.inventory = inventory.Options{Concurrency: inventory.DefaultConcurrency, PerTarget: inventory.DefaultPerTarget}
	env := newBenchEnv(b, s)
	env.sb.SetFaults([]faults.Rule{{Latency: s.latency}}, true)
	var last benchRun
	b.ResetTimer()
	for range b.N {
		last = env.scanOnce(b, s)
	}
	b.StopTimer()
	bound := s.bound()
	b.ReportMetric(last.wall.Seconds(), "wall-s")
	b.ReportMetric(float64(last.calls), "calls")
	b.ReportMetric(float64(s.minCalls()), "min-calls")
	b.ReportMetric(bound.Seconds(), "bound-s")
	b.ReportMetric(last.wall.Seconds()/bound.Seconds(), "ratio")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MB")
	b.ReportMetric(0, "ns/op")
}

type benchRun struct {
	wall  time.Duration
	calls int64
}

func (env *benchEnv) scanOnce(b testing.TB, s shape) benchRun {
	env.sb.Counters().Reset()
	clients := newBenchClients(b, env)
	start := time.Now()
	rep, err := scan.Run(context.Background(), env.est, scan.Deps{Inventory: clients, KMS: clients.kms},
		scan.Options{Accounts: env.consumers, Inventory: s.inventory})
	wall := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	if len(rep.Meta.Errors) > 0 {
		b.Fatalf("scan errors: %+v", rep.Meta.Errors[0])
	}
	if want := s.accounts * s.regions * s.resources(); len(rep.Results) != want {
		b.Fatalf("%d results, want %d", len(rep.Results), want)
	}
	for _, r := range rep.Results {
		if r.Verdict != compliance.Compliant {
			b.Fatalf("%s %s: %s %s", r.Resource.Account, r.Resource.Name, r.Verdict, r.Detail)
		}
	}
	var calls int64
	for _, c := range env.sb.Counters().Snapshot() {
		calls += c.Calls
	}
	return benchRun{wall: wall, calls: calls}
}

// peakRSS is VmHWM of /proc/self/status in bytes (0 when unreadable). The
// sandbox runs in this process too, so this bounds scan + sandbox.
func peakRSS() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
