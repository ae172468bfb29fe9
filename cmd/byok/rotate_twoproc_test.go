package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// aliasLoad Encrypts and Decrypts through key aliases from their consumer
// accounts, as the applications there do, until stopped; it keeps every
// failure.
type aliasLoad struct {
	mu       sync.Mutex
	calls    int
	failures []string
}

func (l *aliasLoad) run(ctx context.Context, c *kms.Client, aliasARN string) {
	for i := 0; ctx.Err() == nil; i++ {
		plain := []byte(fmt.Sprintf("load %d", i))
		enc, err := c.Encrypt(context.WithoutCancel(ctx), &kms.EncryptInput{KeyId: aws.String(aliasARN), Plaintext: plain})
		if err == nil {
			var dec *kms.DecryptOutput
			dec, err = c.Decrypt(context.WithoutCancel(ctx), &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
			if err == nil && !bytes.Equal(dec.Plaintext, plain) {
				err = fmt.Errorf("decrypted %q, want %q", dec.Plaintext, plain)
			}
		}
		l.mu.Lock()
		l.calls++
		if err != nil {
			l.failures = append(l.failures, fmt.Sprintf("%s: %v", time.Now().Format(time.StampMilli), err))
		}
		l.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestTwoProcessesOnNewKeyRun (issue 16, acceptance 2): byok rotate of a
// new-key run and, once the run exists, byok resume of it beside it: the
// second is refused naming the holder's PID; the first, interrupted in
// its watch step, is finished by a resume. Throughout, applications in the
// consumer account Encrypt and Decrypt through the alias with no failure:
// the alias never points at a key that cannot encrypt.
func TestTwoProcessesOnNewKeyRun(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: skipped with -short")
	}
	rotShm(t)
	w := newRotWorld(t, nil)
	const alias = "alias/prod/s3"
	old := w.describeKey(t, alias)
	consumer := kms.NewFromConfig(w.sb.Config(context.Background(), "333333333333"))
	aliasARN := "arn:aws:kms:eu-west-1:" + w.est.SecurityAccount + ":" + alias

	loadCtx, stopLoad := context.WithCancel(context.Background())
	load := &aliasLoad{}
	loaded := make(chan struct{})
	go func() { defer close(loaded); load.run(loadCtx, consumer, aliasARN) }()
	defer func() { stopLoad(); <-loaded }()

	first := exec.Command(rotBinary(t), "rotate", "--key", alias, "--strategy", "new-key", "--yes", "--watch", "10m")
	var out bytes.Buffer
	first.Stdout, first.Stderr = &out, &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Process.Kill(); _ = first.Wait(); w.output.Write(out.Bytes()) }()
	id := w.waitForRun(t)
	code, _, second := w.exec(t, nil, "resume", id.String())
	if code == 0 || !strings.Contains(second, "held by process "+strconv.Itoa(first.Process.Pid)) {
		t.Fatalf("second process on run %s: exit %d, want a refusal naming PID %d:\n%s", id, code, first.Process.Pid, second)
	}
	w.waitForStep(t, aws.ToString(old.Arn), store.StepWatch)
	_ = first.Process.Signal(syscall.SIGINT)
	_ = first.Wait()
	if code, _, out := w.exec(t, nil, "resume", id.String()); code != 0 {
		t.Fatalf("resume after the holder stopped: exit %d\n%s", code, out)
	}
	stopLoad()
	<-loaded

	now := w.describeKey(t, alias)
	if aws.ToString(now.Arn) == aws.ToString(old.Arn) || now.KeyState != types.KeyStateEnabled {
		t.Fatalf("alias after the run: %s %s (old %s)", aws.ToString(now.Arn), now.KeyState, aws.ToString(old.Arn))
	}
	if r := w.run(t, id); r.Status != store.StatusSucceeded || r.Strategy != rotation.NewKey.String() {
		t.Fatalf("run %s: %s %s %s", id, r.Strategy, r.Status, r.Error)
	}
	load.mu.Lock()
	defer load.mu.Unlock()
	t.Logf("load through %s during the run: %d Encrypt+Decrypt rounds", alias, load.calls)
	if load.calls == 0 || len(load.failures) > 0 {
		t.Fatalf("load through %s: %d rounds, %d failures:\n%s", alias, load.calls, len(load.failures), strings.Join(load.failures, "\n"))
	}
}

// waitForRun polls the state store until a run exists.
func (w *rotWorld) waitForRun(t *testing.T) store.RunID {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(w.statePath); err == nil { // byok rotate made it: do not create it first
			if id, ok := w.newestRun(t, ""); ok {
				return id
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no run was recorded within a minute of starting byok rotate")
	return ""
}
