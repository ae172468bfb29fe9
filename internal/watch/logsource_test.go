package watch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/watch"
	"github.com/byok-dev/byok/internal/watch/watchtest"
)

const (
	region = "eu-west-1"
	group  = "/byok/kms-failed-calls"
	rule   = "byok-kms-failed-calls"
)

// deploySource creates the deploy/ log group and rule in account.
func deploySource(t *testing.T, sb *sandboxrun.Sandbox, s watchtest.Source) {
	t.Helper()
	ctx := context.Background()
	if s.Region == "" {
		s.Region, s.LogGroup, s.Rule = region, group, rule
	}
	cfg := sb.Config(ctx, s.Account)
	if err := watchtest.Deploy(ctx, cloudwatchlogs.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg), s); err != nil {
		t.Fatal(err)
	}
}

// sources make a watcher of the Security account on each watch source.
var sources = map[string]func(sb *sandboxrun.Sandbox, from time.Time) *watch.Watcher{
	"cloudtrail": func(sb *sandboxrun.Sandbox, from time.Time) *watch.Watcher {
		return watch.NewWatcher(cloudtrail.NewFromConfig(sb.Config(context.Background(), sec)), sec, from)
	},
	"eventbridge": func(sb *sandboxrun.Sandbox, from time.Time) *watch.Watcher {
		return watch.NewLogWatcher(cloudwatchlogs.NewFromConfig(sb.Config(context.Background(), sec)), group, sec, from)
	},
}

// TestSourcesAgree: the same calls, read through LookupEvents and through
// the EventBridge log group, give the same failures per key: a consumer's
// refused calls are caught, successful calls are none, the run's own
// (journaled) calls are left out, and a key without failures has none.
func TestSourcesAgree(t *testing.T) {
	cases := map[string]struct {
		refused, ok int
		ownIDs      bool // the refused calls' request IDs are the run's own
		key         string
		want        int
	}{
		"consumer's refused calls": {refused: 3, ok: 5, key: "rds", want: 3},
		"successes only":           {ok: 5, key: "rds", want: 0},
		"another key":              {refused: 2, key: "s3", want: 0},
		"the run's own calls":      {refused: 2, ownIDs: true, key: "rds", want: 0},
	}
	for name, tc := range cases {
		for src, newW := range sources {
			t.Run(src+"/"+name, func(t *testing.T) {
				sb := sandboxrun.NewTest(t, true)
				deploySource(t, sb, watchtest.Source{Account: sec})
				ww := worldOn(t, sb, newW)
				own := ww.refuseWithIDs(t, tc.refused)
				ww.encryptOK(t, tc.ok)
				if !tc.ownIDs {
					own = watch.Own{}
				}
				key := map[string]string{"rds": ww.rds, "s3": ww.s3}[tc.key]
				fs, err := ww.w.Failures(context.Background(), key, ww.start, ww.sb.Now(), own)
				if err != nil {
					t.Fatal(err)
				}
				if count(fs) != tc.want {
					t.Fatalf("failures %+v, want %d", fs, tc.want)
				}
				if tc.want > 0 && (fs[0].Event != "Encrypt" || fs[0].ErrorCode != "AccessDeniedException" || fs[0].Account != sec) {
					t.Fatalf("failures %+v, want prod's refused Encrypts seen in %s", fs, sec)
				}
			})
		}
	}
}

// worldOn is a watcherWorld on the watcher newW makes.
func worldOn(t *testing.T, sb *sandboxrun.Sandbox, newW func(*sandboxrun.Sandbox, time.Time) *watch.Watcher) *watcherWorld {
	t.Helper()
	ctx := context.Background()
	ww := &watcherWorld{sb: sb, start: sb.Now().Add(-time.Second), ran: make(chan struct{}),
		kms: kms.NewFromConfig(sb.Config(ctx, sec)), prodKMS: kms.NewFromConfig(sb.Config(ctx, prod))}
	ww.rds, ww.s3 = ww.arn(t, "alias/dev/rds"), ww.arn(t, "alias/dev/s3")
	ww.w = newW(sb, ww.start)
	ww.w.Now, ww.w.Skew = sb.Now, time.Second
	rctx, cancel := context.WithCancel(ctx)
	go func() { defer close(ww.ran); ww.w.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-ww.ran })
	return ww
}

// refuseWithIDs is refuse, returning an Own of the refused calls (as a run
// that made them would journal them).
func (ww *watcherWorld) refuseWithIDs(t *testing.T, n int) watch.Own {
	t.Helper()
	own := watch.Own{RequestIDs: map[string]bool{}}
	for range n {
		_, err := ww.prodKMS.Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String(ww.rds), Plaintext: []byte("x")})
		if err == nil {
			t.Fatal("prod encrypted with the dev key")
		}
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.ServiceRequestID() == "" {
			t.Fatalf("refused Encrypt without a request ID: %v", err)
		}
		own.RequestIDs[re.ServiceRequestID()] = true
	}
	id, err := sts.NewFromConfig(ww.sb.Config(context.Background(), prod)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	own.Principal = aws.ToString(id.Arn)
	return own
}

func (ww *watcherWorld) encryptOK(t *testing.T, n int) {
	t.Helper()
	for range n {
		if _, err := ww.kms.Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String(ww.s3), Plaintext: []byte("ok")}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLogWatcherReadsNoStream: the log watcher's read of a window is one
// FilterLogEvents call whatever the account's successful traffic (the
// group holds failures only), and it never falls back to per-key lookups.
func TestLogWatcherReadsNoStream(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	deploySource(t, sb, watchtest.Source{Account: sec})
	ww := worldOn(t, sb, sources["eventbridge"])
	ww.w.MaxRate, ww.w.MaxPassPages = 1, 1 // ignored: no per-key lookups on a log group
	ww.refuse(t, 2)
	ww.encryptOK(t, 150)
	before := sb.Counters().Get(sec, "cloudtrail", "LookupEvents")
	fs, err := ww.w.Failures(context.Background(), ww.rds, ww.start, sb.Now(), watch.Own{})
	if err != nil || count(fs) != 2 {
		t.Fatalf("failures %+v, %v; want 2", fs, err)
	}
	if n := sb.Counters().Get(sec, "cloudtrail", "LookupEvents") - before; n != 0 {
		t.Fatalf("%d LookupEvents calls from a log watcher", n)
	}
	if n := sb.Counters().Get(sec, "logs", "FilterLogEvents"); n != 1 {
		t.Fatalf("%d FilterLogEvents calls, want 1 window read", n)
	}
}

// TestSourceFailuresMissingGroup: reading a group that is not there is an
// error (a WatchError wrapping the AWS error), never "no failures".
func TestSourceFailuresMissingGroup(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	src := watch.LogSource(cloudwatchlogs.NewFromConfig(sb.Config(context.Background(), sec)), group)
	_, err := watch.SourceFailures(context.Background(), src, sec, "arn:aws:kms:eu-west-1:111111111111:key/x", sb.Now().Add(-time.Hour), sb.Now(), watch.Own{})
	var we *watch.WatchError
	if !errors.As(err, &we) {
		t.Fatalf("error %v, want a WatchError", err)
	}
}
