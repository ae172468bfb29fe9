package rotation_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/pace"
)

// BenchmarkRotate100KeysAppliedQuota5 is BenchmarkRotate100KeysInPlace
// with the account's GetParametersForImport quota raised to 5/s in Service
// Quotas: the engine reads the applied value (as byok does at start) and
// the bound becomes 100 keys ÷ 5/s = 20 s, to be met within 1.1×. The
// watch reads the EventBridge log group of failed calls (deploy/'s
// KmsFailedCallsWatch, in every account), not LookupEvents, whose 2 pages
// per second cannot keep up with the Security account's KMS traffic.
// Run: go test ./internal/rotation -run '^$' -bench AppliedQuota5 -benchtime 1x -timeout 20m
func BenchmarkRotate100KeysAppliedQuota5(b *testing.B) {
	for i := 0; i < b.N; i++ {
		benchOnce(b, benchCase{concurrency: 64, gpfi: 5, within: 1.1, latency: benchLatency, watchDelay: benchWatchDelay})
	}
}

// benchWatchDelay is the delivery_delay of the benchmarks' eventbridge
// watch source: the sandbox delivers a failed call to the log group
// synchronously (a call's event is in the group when its answer arrives).
const benchWatchDelay = 100 * time.Millisecond

// applyQuota sets the applied GetParametersForImport quota of the Security
// account in the sandbox (1: the default, nothing set) and has the
// engine's pacer read it through Service Quotas, as the CLI does.
func (w *world) applyQuota(tb testing.TB, gpfi float64) {
	tb.Helper()
	if gpfi == 1 {
		return
	}
	sec := w.est.SecurityAccount
	for _, region := range w.est.Regions {
		if err := w.sb.SetAppliedQuota(sec, region, pace.ServiceKMS, "GetParametersForImport", gpfi); err != nil {
			tb.Fatal(err)
		}
		sq := servicequotas.NewFromConfig(awsx.WithRegion(w.accts.For(sec), region))
		src, err := w.eng.Limits.Load(context.Background(), sec, region, pace.ServiceKMS, sq)
		if err != nil || src.Origin != pace.OriginServiceQuotas || src.Applied["GetParametersForImport"] != gpfi {
			tb.Fatalf("load applied quotas: %+v %v", src, err)
		}
	}
}
