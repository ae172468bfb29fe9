package scan_test

import (
	"slices"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/scan"
)

func TestTargets(t *testing.T) {
	got := scan.Targets([]string{"a", "b"}, []string{"r1", "r2"})
	want := []inventory.Target{{Account: "a", Region: "r1"}, {Account: "a", Region: "r2"}, {Account: "b", Region: "r1"}, {Account: "b", Region: "r2"}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v", got)
	}
	if len(scan.Targets(nil, []string{"r1"})) != 0 {
		t.Fatal("no accounts must give no targets")
	}
}

// TestScanMakesOnlyUnavoidableCalls scans a small estate (2 accounts × 2
// Regions, 3 resources of each kind, quotas on) through the real SDK and
// checks the API calls against shape.minCalls exactly: one page per
// listing, one describe per table and bucket, one DescribeKey and one
// ListKeyRotations per key, one AssumeRole per account — no throttling
// retries, no duplicate reads.
func TestScanMakesOnlyUnavoidableCalls(t *testing.T) {
	s := shape{accounts: 2, regions: 2, instances: 3, clusters: 1, tables: 3, buckets: 3, services: 3,
		latency: time.Millisecond, inventory: inventory.Options{Concurrency: inventory.DefaultConcurrency, PerTarget: inventory.DefaultPerTarget}}
	env := newBenchEnv(t, s)
	env.sb.SetFaults([]faults.Rule{{Latency: s.latency}}, true)
	run := env.scanOnce(t, s) // fails the test unless every resource is COMPLIANT and there are no errors
	if run.calls != int64(s.minCalls()) {
		for _, c := range env.sb.Counters().Snapshot() {
			t.Logf("%s %s %s: %d", c.Account, c.Service, c.Operation, c.Calls)
		}
		t.Fatalf("%d API calls, want the %d unavoidable ones", run.calls, s.minCalls())
	}
}

// TestScanRidesOutAThrottlingStorm: the sandbox throttles the key reads
// (ListKeyRotations and DescribeKey in the Security account); the scan
// slows down and still reads every key: every resource COMPLIANT, no key
// unreadable, no scan error (scanOnce fails otherwise).
func TestScanRidesOutAThrottlingStorm(t *testing.T) {
	s := shape{accounts: 2, regions: 2, instances: 1, clusters: 1, tables: 1, buckets: 1, services: 3,
		inventory: inventory.Options{Concurrency: inventory.DefaultConcurrency, PerTarget: inventory.DefaultPerTarget}}
	env := newBenchEnv(t, s)
	throttle := func(op string, n int) faults.Rule {
		return faults.Rule{Service: "kms", Operation: op, Account: env.est.SecurityAccount, Code: "ThrottlingException",
			Status: 400, Message: "Rate exceeded", Count: n}
	}
	env.sb.SetFaults([]faults.Rule{throttle("ListKeyRotations", 6), throttle("DescribeKey", 6)}, true)
	env.scanOnce(t, s)
}
