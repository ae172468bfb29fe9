package s3objects_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/migrate/s3objects"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
)

// The benchmark's engine runs in a child process (this test binary again,
// BYOK_BENCH_CHILD set), so that its peak RSS (rusage maxrss) is the
// engine's alone, not the sandbox's, which holds every object.
const benchChildEnv = "BYOK_BENCH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(benchChildEnv) != "" {
		os.Exit(benchChild())
	}
	os.Exit(m.Run())
}

// childResult is what the child prints.
type childResult struct {
	Objects int64   `json:"objects"`
	Seconds float64 `json:"seconds"`
	PeakKiB int64   `json:"peakKiB"` // VmHWM: the child's own peak RSS
	Timings string  `json:"timings"` // the engine's calls, per operation
	Err     string  `json:"err,omitempty"`
}

// peakRSS is the process's own peak resident set (VmHWM, KiB). Not
// rusage's maxrss of the child: Linux carries the parent's peak into it
// at exec, and the parent holds the sandbox's objects.
func peakRSS() int64 {
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

// benchChild re-encrypts the bucket BYOK_BENCH_BUCKET onto
// BYOK_BENCH_TARGET with BYOK_BENCH_INFLIGHT copies in flight.
func benchChild() int {
	ctx := context.Background()
	inflight, _ := strconv.Atoi(os.Getenv("BYOK_BENCH_INFLIGHT"))
	// As byok's clients are built (internal/app: one transport keeping
	// 128 idle connections per host), so that copies do not redial.
	tr := awshttp.NewBuildableClient().GetTransport()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 0, 128
	cfg := aws.Config{Region: os.Getenv("AWS_REGION"), BaseEndpoint: aws.String(os.Getenv("AWS_ENDPOINT_URL")),
		Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), ""),
		HTTPClient:  &http.Client{Transport: tr}}
	timed := newTimedAPI(awsx.S3(cfg))
	if p := os.Getenv("BYOK_BENCH_CPUPROFILE"); p != "" {
		// The engine's side (the parent's -cpuprofile covers the sandbox).
		if f, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
			}
		}
	}
	start := time.Now()
	res, err := s3objects.Run(ctx, timed, s3objects.Options{Bucket: os.Getenv("BYOK_BENCH_BUCKET"), TargetKeyARN: os.Getenv("BYOK_BENCH_TARGET"),
		InFlight: inflight, CheckpointEvery: 1000})
	out := childResult{Objects: res.Copied, Seconds: time.Since(start).Seconds(), PeakKiB: peakRSS()}
	var tb strings.Builder
	timed.t.report(&tb)
	out.Timings = tb.String()
	if os.Getenv("BYOK_BENCH_VERBOSE") != "" {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(os.Stderr, "goroutines %d sys %d MiB heapsys %d heapinuse %d released %d stacksys %d other %d\n", runtime.NumGoroutine(),
			ms.Sys>>20, ms.HeapSys>>20, ms.HeapInuse>>20, ms.HeapReleased>>20, ms.StackSys>>20, ms.OtherSys>>20)
	}
	if err != nil {
		out.Err = err.Error()
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
	if p := os.Getenv("BYOK_BENCH_MEMPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			_ = pprof.WriteHeapProfile(f)
			_ = f.Close()
		}
	}
	if err != nil {
		return 1
	}
	return 0
}

// runChild runs the child with env and returns its result, its peak RSS
// in MiB and the CPU time both processes spent (client + sandbox).
func runChild(b *testing.B, env ...string) (childResult, float64, time.Duration) {
	b.Helper()
	var before syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, benchChildEnv+"=1")...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("child: %v\n%s\n%s", err, out.String(), errb.String())
	}
	if os.Getenv("BYOK_BENCH_VERBOSE") != "" {
		b.Log(errb.String())
	}
	var r childResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		b.Fatalf("child output: %v\n%s", err, out.String())
	}
	if r.PeakKiB <= 0 {
		b.Fatal("the child could not read its peak RSS (/proc/self/status VmHWM)")
	}
	var after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime() +
		time.Duration(after.Utime.Nano()-before.Utime.Nano()+after.Stime.Nano()-before.Stime.Nano())
	return r, float64(r.PeakKiB) / 1024, cpu
}

// BenchmarkReencrypt100k re-encrypts 100,000 objects of one bucket with
// 20 ms injected latency on every sandbox call and reports objects/s,
// the ratio to the ideal (objects in flight ÷ latency) and the engine's
// peak RSS (its own VmHWM). One pass per run:
// go test -run '^$' -bench Reencrypt100k -benchtime 1x ./internal/migrate/s3objects/
// (BYOK_BENCH_INFLIGHT: copies in flight, default 16; BYOK_BENCH_OBJECTS:
// a smaller bucket while profiling; BYOK_BENCH_CPUPROFILE: the engine's
// CPU profile, -cpuprofile giving the sandbox's). The log splits a copy's
// time (engine until written, until the answer, until return; the
// sandbox handler's share of it, injected wait included) and gives the
// machine's floor before and after the run: the same wait behind a bare
// HTTP handler, as many calls in flight, so a loaded machine is told
// apart from a slow request path.
func BenchmarkReencrypt100k(b *testing.B) {
	const latency = 20 * time.Millisecond
	inflight := 16
	if v, err := strconv.Atoi(os.Getenv("BYOK_BENCH_INFLIGHT")); err == nil && v > 0 {
		inflight = v
	}
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("BYOK_BENCH_OBJECTS")); err == nil && v > 0 {
		n = v // a smaller run while profiling
	}
	e := newEnv(b)
	const bucket = "bench-100k"
	e.bucket(b, bucket, false, false)
	if _, err := e.s3.PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String(e.old)}}}}}); err != nil {
		b.Fatal(err)
	}
	if _, err := e.sb.S3.SeedObjects(s3svc.ObjectsSeed{Bucket: bucket, Prefix: "obj/", Count: n, Size: 64}); err != nil {
		b.Fatal(err)
	}
	e.sb.SetFaults([]faults.Rule{{Latency: latency}}, false)
	// The sandbox is served through a handler that times each call, so
	// the log splits a copy's time into the sandbox's and the round trip's.
	handled := newDurations()
	srv := httptest.NewServer(timedHandler(e.sb.Server, handled))
	defer srv.Close()
	akid, secret := sandbox.AccountKeys(account)
	for b.Loop() {
		floorMean, floorP50 := floor(latency, 2*inflight) // heads and copies: 2 × in flight
		load := loadAverage()
		r, rss, cpu := runChild(b, "AWS_ENDPOINT_URL="+srv.URL, "AWS_REGION="+e.sb.Region(), "AWS_ACCESS_KEY_ID="+akid,
			"AWS_SECRET_ACCESS_KEY="+secret, "BYOK_BENCH_BUCKET="+bucket, "BYOK_BENCH_TARGET="+e.target,
			"BYOK_BENCH_INFLIGHT="+strconv.Itoa(inflight))
		afterMean, _ := floor(latency, 2*inflight)
		rate, ideal := float64(r.Objects)/r.Seconds, float64(inflight)/latency.Seconds()
		reportRun(b, r, rss, cpu, inflight, latency)
		var hb strings.Builder
		handled.report(&hb)
		b.Logf("machine: load average %s before, %s after; a bare HTTP call through the same %s wait, %d in flight, takes %.2f ms mean, %.2f ms p50 before (floor %.2f × ideal), %.2f ms mean after (%.2f ×)\n%s%s",
			load, loadAverage(), latency, 2*inflight, ms(floorMean), ms(floorP50), latency.Seconds()/floorMean.Seconds(),
			ms(afterMean), latency.Seconds()/afterMean.Seconds(), r.Timings, hb.String())
		b.ReportMetric(latency.Seconds()/floorMean.Seconds(), "x-ideal-floor")
		if r.Objects != int64(n) || rate < 0.9*ideal || rss >= 150 {
			b.Errorf("want %d objects at ≥ %.0f objects/s with RSS < 150 MiB", n, 0.9*ideal)
		}
	}
}

// reportRun reports and logs the rate, its ratio to the ideal, the
// engine's peak RSS and the CPU both processes spent per object.
func reportRun(b *testing.B, r childResult, rss float64, cpu time.Duration, inflight int, latency time.Duration) {
	rate := float64(r.Objects) / r.Seconds
	ideal := float64(inflight) / latency.Seconds()
	perObject := float64(cpu.Microseconds()) / float64(r.Objects)
	b.ReportMetric(rate, "objects/s")
	b.ReportMetric(rate/ideal, "x-ideal")
	b.ReportMetric(rss, "maxrss-MiB")
	b.ReportMetric(perObject, "cpu-µs/object")
	b.Logf("%d objects in %.1f s: %.0f objects/s = %.2f × (%d in flight ÷ %s); engine peak RSS %.1f MiB; CPU (engine + sandbox) %.0f µs/object, %.2f of %d cores busy",
		r.Objects, r.Seconds, rate, rate/ideal, inflight, latency, rss, perObject, cpu.Seconds()/r.Seconds, runtime.NumCPU())
}

// loadAverage is /proc/loadavg's first three fields ("?" elsewhere).
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}
