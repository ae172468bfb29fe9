package pace_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// TestPacedCallsRideOutAStorm drives the real SDK against the sandbox
// enforcing AWS's quotas: a storm of 24 throttles in a row slows the
// pacer down (the rate halves), no call fails, and once the storm is over
// 8 callers sharing the quota run at it again (the rate recovers) without
// hammering: the server's own bucket throttles few calls.
func TestPacedCallsRideOutAStorm(t *testing.T) {
	const account, storm, calls = "111111111111", 24, 300
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(account, "security"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // hang guard only
	defer cancel()
	client := kms.NewFromConfig(sb.Config(ctx, account))
	k := pace.Key{Account: account, Region: sb.Region(), Service: pace.ServiceKMS, Op: "ListAliases"}
	p := pace.New(nil)
	list := func(ctx context.Context) (*kms.ListAliasesOutput, error) {
		return client.ListAliases(ctx, &kms.ListAliasesInput{}, pace.KMSOption)
	}
	sb.SetFaults([]faults.Rule{{Service: "kms", Operation: "ListAliases", Code: "ThrottlingException",
		Status: 400, Message: "Rate exceeded", Count: storm}}, true)
	if _, err := pace.Call(ctx, p, k, list); err != nil {
		t.Fatalf("a call through the storm failed: %v", err)
	}
	if rate, limit := p.Rate(k); rate >= limit/2 || p.Throttles() != storm {
		t.Fatalf("after %d throttles in a row: rate %v of %v, %d throttles seen; want the rate halved", storm, rate, limit, p.Throttles())
	}
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < calls; i += 8 {
				if _, err := pace.Call(ctx, p, k, list); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("paced call failed: %v", err)
	}
	if rate, limit := p.Rate(k); rate != limit {
		t.Errorf("rate %v after %d successes, want the quota %v again", rate, calls, limit)
	}
	if extra := p.Throttles() - storm; extra > calls/10 {
		t.Errorf("the sandbox's quota bucket throttled %d of %d calls: the pacer runs above the quota", extra, calls)
	}
}
