package watch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/watch"
)

const sec, prod = "111111111111", "333333333333"

// watcherWorld is a sandbox with the demo estate, a started watcher of the
// Security account, and the two dev keys' ARNs.
type watcherWorld struct {
	sb           *sandboxrun.Sandbox
	w            *watch.Watcher
	rds, s3      string
	stop         func()
	ran          chan struct{}
	start        time.Time
	prodKMS, kms *kms.Client
}

func newWatcherWorld(t *testing.T, tune ...func(*watch.Watcher)) *watcherWorld {
	t.Helper()
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	ww := &watcherWorld{sb: sb, start: sb.Now().Add(-time.Second), ran: make(chan struct{}),
		kms: kms.NewFromConfig(sb.Config(ctx, sec)), prodKMS: kms.NewFromConfig(sb.Config(ctx, prod))}
	ww.rds, ww.s3 = ww.arn(t, "alias/dev/rds"), ww.arn(t, "alias/dev/s3")
	ww.w = watch.NewWatcher(cloudtrail.NewFromConfig(sb.Config(ctx, sec)), sec, ww.start)
	ww.w.Now = sb.Now
	for _, f := range tune {
		f(ww.w)
	}
	rctx, cancel := context.WithCancel(ctx)
	go func() { defer close(ww.ran); ww.w.Run(rctx) }()
	ww.stop = func() {
		cancel()
		select {
		case <-ww.ran:
		case <-time.After(time.Minute): // failure guard only
			t.Fatal("the watcher's goroutine did not end after its context was cancelled")
		}
	}
	t.Cleanup(ww.stop)
	return ww
}

func (ww *watcherWorld) arn(t *testing.T, alias string) string {
	t.Helper()
	d, err := ww.kms.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:eu-west-1:" + sec + ":" + alias)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(d.KeyMetadata.Arn)
}

// refuse has prod call Encrypt on the dev RDS key n times (not in its policy).
func (ww *watcherWorld) refuse(t *testing.T, n int) {
	t.Helper()
	for range n {
		_, err := ww.prodKMS.Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String(ww.rds), Plaintext: []byte("x")})
		if err == nil {
			t.Fatal("prod encrypted with the dev key")
		}
	}
}

func count(fs []watch.Failure) int {
	n := 0
	for _, f := range fs {
		n += f.Count
	}
	return n
}

// TestWatcherOneReadManyKeys: one watcher pages the Security account's KMS
// events (more than one page of successful calls around the failures) and
// answers both dev keys from one read (two pages): the refused calls are
// the RDS key's only; a later question waits for a later pass and sees the
// later failures once each.
func TestWatcherOneReadManyKeys(t *testing.T) {
	ww := newWatcherWorld(t)
	ctx := context.Background()
	ww.refuse(t, 3)
	for range 60 { // > 50 events: the pass must page
		if _, err := ww.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(ww.s3), Plaintext: []byte("ok")}); err != nil {
			t.Fatal(err)
		}
	}
	before := ww.sb.Counters().Get(sec, "cloudtrail", "LookupEvents")
	until := ww.sb.Now()
	fs, err := ww.w.Failures(ctx, ww.rds, ww.start, until, watch.Own{})
	if err != nil {
		t.Fatal(err)
	}
	if count(fs) != 3 || fs[0].Event != "Encrypt" || fs[0].ErrorCode != "AccessDeniedException" {
		t.Fatalf("RDS key failures %+v, want prod's 3 refused Encrypts", fs)
	}
	fs, err = ww.w.Failures(ctx, ww.s3, ww.start, until, watch.Own{})
	if err != nil || len(fs) != 0 {
		t.Fatalf("S3 key failures %+v, %v; want none (the refused calls named the RDS key)", fs, err)
	}
	if n := ww.sb.Counters().Get(sec, "cloudtrail", "LookupEvents") - before; n != 2 {
		t.Fatalf("%d LookupEvents calls for two keys' questions over one window, want the 2 pages of one read", n)
	}
	ww.refuse(t, 2)
	fs, err = ww.w.Failures(ctx, ww.rds, ww.start, ww.sb.Now(), watch.Own{})
	if err != nil || count(fs) != 5 {
		t.Fatalf("RDS key failures %+v, %v; want 5 after two more refusals (each once, windows overlap)", fs, err)
	}
}

// TestWatcherErrorReachesWaiters: a failed read is every waiting caller's
// error (the AWS error inside, matched by type); the next question reads
// again once CloudTrail answers.
func TestWatcherErrorReachesWaiters(t *testing.T) {
	ww := newWatcherWorld(t)
	ctx := context.Background()
	ww.refuse(t, 1)
	ww.sb.SetFaults([]faults.Rule{{Service: "cloudtrail", Operation: "LookupEvents", Code: "AccessDeniedException", Status: 400,
		Message: "not authorized to perform cloudtrail:LookupEvents"}}, false)
	errs := make(chan error, 2)
	for _, k := range []string{ww.rds, ww.s3} {
		go func() {
			_, err := ww.w.Failures(ctx, k, ww.start, ww.sb.Now(), watch.Own{})
			errs <- err
		}()
	}
	for range 2 {
		err := <-errs
		var we *watch.WatchError
		var ae smithy.APIError
		if !errors.As(err, &we) || we.Account != sec || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
			t.Fatalf("waiter got %v, want a WatchError of %s wrapping AccessDeniedException", err, sec)
		}
	}
	ww.sb.SetFaults(nil, false)
	fs, err := ww.w.Failures(ctx, ww.rds, ww.start, ww.sb.Now(), watch.Own{})
	if err != nil || count(fs) != 1 {
		t.Fatalf("after CloudTrail answers again: %+v, %v; want the one refused call", fs, err)
	}
}

// TestWatcherStops: Run returns when its context ends, and a caller whose
// own context ends stops waiting.
func TestWatcherStops(t *testing.T) {
	ww := newWatcherWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ww.w.Failures(ctx, ww.rds, ww.start, ww.sb.Now().Add(time.Hour), watch.Own{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Failures with a cancelled context: %v, want context.Canceled", err)
	}
	ww.stop() // fails the test if Run does not return
}

// TestWatcherBusyStreamPerKey: a stream busier than MaxRate is not read
// to its end; the watcher's goroutine ends and each caller looks up its own
// key (ResourceName), with the same answers.
func TestWatcherBusyStreamPerKey(t *testing.T) {
	ww := newWatcherWorld(t, func(w *watch.Watcher) { w.MaxRate = 1 })
	ctx := context.Background()
	ww.refuse(t, 3)
	for range 120 {
		if _, err := ww.kms.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(ww.s3), Plaintext: []byte("ok")}); err != nil {
			t.Fatal(err)
		}
	}
	until := ww.sb.Now()
	fs, err := ww.w.Failures(ctx, ww.rds, ww.start, until, watch.Own{})
	if err != nil || count(fs) != 3 {
		t.Fatalf("RDS key failures %+v, %v; want prod's 3 refused Encrypts", fs, err)
	}
	select {
	case <-ww.ran:
	case <-time.After(time.Minute): // failure guard only
		t.Fatal("the watcher still reads a stream busier than its MaxRate")
	}
	before := ww.sb.Counters().Get(sec, "cloudtrail", "LookupEvents")
	fs, err = ww.w.Failures(ctx, ww.s3, ww.start, until, watch.Own{})
	if err != nil || len(fs) != 0 {
		t.Fatalf("S3 key failures %+v, %v; want none", fs, err)
	}
	if n := ww.sb.Counters().Get(sec, "cloudtrail", "LookupEvents") - before; n != 3 {
		t.Fatalf("%d LookupEvents calls for the S3 key's own lookup, want its 3 pages (120 Encrypts)", n)
	}
}
