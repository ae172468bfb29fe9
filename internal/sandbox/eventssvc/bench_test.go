package eventssvc_test

import (
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// BenchmarkKMSDelivery measures Encrypt+Decrypt pairs through the real SDK
// against the full sandbox (EventBridge subscribed to the trail) in three
// setups: no rule anywhere (the delivery fast path), byok's rule in
// ENABLED state (read-only crypto events are not candidates), and byok's
// rule in ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state (every event
// is wrapped and matched; successful calls do not match). In-memory state.
func BenchmarkKMSDelivery(b *testing.B) {
	for _, tc := range []struct {
		name  string
		state ebtypes.RuleState
	}{{"no-rules", ""}, {"rule-enabled", ebtypes.RuleStateEnabled},
		{"rule-all-management", ebtypes.RuleStateEnabledWithAllCloudtrailManagementEvents}} {
		b.Run(tc.name, func(b *testing.B) {
			sb := newSandbox(b, security)
			if tc.state != "" {
				deployWatch(b, sb, security, tc.state)
			}
			benchPairs(b, sb.Config(ctx, security))
		})
	}
}

func benchPairs(b *testing.B, cfg aws.Config) {
	client := kms.NewFromConfig(cfg, func(o *kms.Options) {
		o.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
		})
	})
	out, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		b.Fatal(err)
	}
	id := out.KeyMetadata.KeyId
	var once sync.Once
	b.SetParallelism(2)
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			enc, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("benchmark canary")})
			if err == nil {
				_, err = client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
			}
			if err != nil {
				once.Do(func() { b.Error(err) })
				return
			}
		}
	})
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
	// CPU per pair (client and server, this process) is what a loaded
	// machine's wall time hides.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/pair")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
