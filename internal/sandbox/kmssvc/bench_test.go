package kmssvc_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// BenchmarkEncryptDecrypt measures Encrypt+Decrypt pairs through the real
// SDK over loopback HTTP with keep-alive, against a sandbox persisting to a
// state file (every call writes its trail event). It reports pairs/s and
// the p99 latency of single calls.
func BenchmarkEncryptDecrypt(b *testing.B) {
	h := newHarness(b, benchStatePath(b))
	cred := h.cred(b, acctA)
	client := kms.New(kms.Options{Region: region, BaseEndpoint: aws.String(h.url),
		Credentials: credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.Secret, ""),
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
		})})
	out, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		b.Fatal(err)
	}
	id := out.KeyMetadata.KeyId
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(benchParallelism())
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t0 := time.Now()
			enc, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("benchmark canary")})
			t1 := time.Now()
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
				b.Error(err)
				return
			}
			local = append(local, t1.Sub(t0), time.Since(t1))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "pairs/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	// CPU per pair (client and server together, this process) gives the
	// capacity of an idle machine whatever the load was during the run.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/pair")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchStatePath is a state file (every call writes its trail event, as in
// `byok sandbox --state`), or memory when BYOK_BENCH_MEMSTATE is set, to
// separate the cost of durability from the rest.
func benchStatePath(b *testing.B) string {
	if os.Getenv("BYOK_BENCH_MEMSTATE") != "" {
		return ""
	}
	return filepath.Join(b.TempDir(), "state.log")
}

// benchParallelism is the number of client goroutines per core
// (BYOK_BENCH_PARALLELISM, default 2): enough in-flight calls to keep both
// cores busy without queueing that only inflates latency.
func benchParallelism() int {
	if n, err := strconv.Atoi(os.Getenv("BYOK_BENCH_PARALLELISM")); err == nil && n > 0 {
		return n
	}
	return 2
}
