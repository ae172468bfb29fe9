package rotation_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// countingTrails counts the CloudTrail clients the engine asks for, per
// account and Region (one per watcher).
type countingTrails struct {
	*clients
	mu sync.Mutex
	n  map[string]int
}

func (c *countingTrails) Trail(account, region string) rotation.Trail {
	c.mu.Lock()
	c.n[account+"/"+region]++
	c.mu.Unlock()
	return c.clients.Trail(account, region)
}

// atWatch holds each key at the start of its watch step until all n keys
// are there, then runs fn once (every key has rotated; none has read
// CloudTrail yet).
func atWatch(t *testing.T, n int, fn func()) func(rotation.Progress) {
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	return func(ev rotation.Progress) {
		if ev.Step != store.StepWatch || ev.Phase != store.PhaseBegin {
			return
		}
		mu.Lock()
		arrived++
		if arrived == n {
			fn()
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(5 * time.Minute): // failure guard only
			t.Error("not every key reached its watch step")
		}
	}
}

// TestWatchSharedWatcherBlamesOneKey rotates two keys in one run; after
// both rotated, the dev account's application fails a Decrypt naming the
// RDS key (with the S3 key's ciphertext: IncorrectKeyException). The run's
// one watcher per account and Region (Security and dev, each asked once)
// fails the RDS key's watch step with that call and passes the S3 key's;
// no watcher goroutine outlives the run.
func TestWatchSharedWatcherBlamesOneKey(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	rds, s3 := w.key(t, "alias/dev/rds"), w.key(t, "alias/dev/s3")
	app := w.consumer(rds.Consumer)
	ct, err := app.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(s3.AliasARN()), Plaintext: []byte("s3 data")})
	if err != nil {
		t.Fatal(err)
	}
	ct2 := &countingTrails{clients: w.eng.Clients.(*clients), n: map[string]int{}}
	w.eng.Clients, w.eng.Concurrency = ct2, 2
	w.eng.Progress = atWatch(t, 2, func() {
		_, err := app.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(rds.AliasARN()), CiphertextBlob: ct.CiphertextBlob})
		if err == nil {
			t.Error("a Decrypt naming the RDS key decrypted the S3 key's ciphertext")
		}
	})
	id, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{rds, s3}, Strategy: estate.StrategyInPlace, ChangeRef: "CHG-watcher"})
	var kf *rotation.KeyFailure
	if !errors.Is(err, rotation.ErrFailedCalls) || !errors.As(err, &kf) || kf.Step != store.StepWatch ||
		!strings.Contains(err.Error(), "IncorrectKeyException") {
		t.Fatalf("run: %v, want the RDS key's watch step to fail with the IncorrectKeyException", err)
	}
	rks, lerr := w.st.ListRunKeys(ctx, id)
	if lerr != nil {
		t.Fatal(lerr)
	}
	steps := map[string]store.Step{}
	for _, rk := range rks {
		steps[rk.KeyARN] = rk.Step
	}
	rdsARN, s3ARN := w.describe(t, rds.AliasARN(), rds.Region).Arn, w.describe(t, s3.AliasARN(), s3.Region).Arn
	if kf.KeyARN != aws.ToString(rdsARN) ||
		strings.Contains(err.Error(), aws.ToString(s3ARN)) || steps[aws.ToString(s3ARN)] != store.StepDone {
		t.Fatalf("run: %v; steps %v: want only the RDS key failed, the S3 key done", err, steps)
	}
	for acct, n := range ct2.n {
		if n != 1 {
			t.Errorf("%s: %d CloudTrail watchers, want one per account and Region for the run", acct, n)
		}
	}
	if len(ct2.n) != 2 {
		t.Errorf("watchers of %v, want the Security and dev accounts'", ct2.n)
	}
	buf := make([]byte, 1<<20)
	if s := string(buf[:runtime.Stack(buf, true)]); strings.Contains(s, "watch.(*Watcher).Run") {
		t.Fatalf("a watcher goroutine outlived the run:\n%s", s)
	}
}
