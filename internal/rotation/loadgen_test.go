package rotation_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// loadTarget is one key used from one account, as an application there
// uses it: through the alias ARN.
type loadTarget struct {
	client   *kms.Client
	aliasARN string
	account  string
}

// loadGen Encrypts and Decrypts through every target at a steady rate and
// records each call's latency and failures. Each round also decrypts the
// ciphertext of the target's first round, made before the rotation.
type loadGen struct {
	mu        sync.Mutex
	calls     int
	failures  []string
	latencies []time.Duration
}

// run drives every target every interval until ctx ends.
func (g *loadGen) run(ctx context.Context, targets []loadTarget, interval time.Duration) {
	var wg sync.WaitGroup
	for _, tg := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.drive(ctx, tg, interval)
		}()
	}
	wg.Wait()
}

func (g *loadGen) drive(ctx context.Context, tg loadTarget, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var first []byte
	for i := 0; ; i++ {
		plain := []byte(fmt.Sprintf("load %s %d", tg.account, i))
		if ct := g.roundTrip(ctx, tg, plain); first == nil {
			first = ct
		}
		if first != nil {
			g.decrypt(ctx, tg, first, []byte(fmt.Sprintf("load %s %d", tg.account, 0)))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (g *loadGen) roundTrip(ctx context.Context, tg loadTarget, plain []byte) []byte {
	t0 := time.Now()
	enc, err := tg.client.Encrypt(context.WithoutCancel(ctx), &kms.EncryptInput{KeyId: aws.String(tg.aliasARN), Plaintext: plain})
	g.record(time.Since(t0), err, tg, "Encrypt")
	if err != nil {
		return nil
	}
	g.decrypt(ctx, tg, enc.CiphertextBlob, plain)
	return enc.CiphertextBlob
}

func (g *loadGen) decrypt(ctx context.Context, tg loadTarget, ct, want []byte) {
	t0 := time.Now()
	dec, err := tg.client.Decrypt(context.WithoutCancel(ctx), &kms.DecryptInput{CiphertextBlob: ct})
	if err == nil && !bytes.Equal(dec.Plaintext, want) {
		err = fmt.Errorf("decrypt returned other plaintext")
	}
	g.record(time.Since(t0), err, tg, "Decrypt")
}

func (g *loadGen) record(d time.Duration, err error, tg loadTarget, op string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls++
	g.latencies = append(g.latencies, d)
	if err != nil {
		g.failures = append(g.failures, fmt.Sprintf("%s %s from %s: %v", op, tg.aliasARN, tg.account, err))
	}
}

// snapshot returns calls, failures and the p50/p99 latency so far, and
// resets the counters.
func (g *loadGen) snapshot() (calls int, failures []string, p50, p99 time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	calls, failures = g.calls, g.failures
	lat := slices.Clone(g.latencies)
	g.calls, g.failures, g.latencies = 0, nil, nil
	slices.Sort(lat)
	if len(lat) > 0 {
		p50, p99 = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return calls, failures, p50, p99
}
