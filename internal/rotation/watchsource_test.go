package rotation_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
	"github.com/byok-dev/byok/internal/watch"
)

// watchSources set up each watch source in a world: CloudTrail
// LookupEvents as it is, or the deploy/ log group and rule in every
// account with the estate's source set to eventbridge (the sandbox
// records synchronously: a delivery delay of 1 s covers CloudTrail's
// whole-second event times).
var watchSources = map[string]func(testing.TB, *world){
	"cloudtrail":  func(testing.TB, *world) {},
	"eventbridge": func(tb testing.TB, w *world) { w.deployWatchSource(tb, time.Second) },
}

// TestWatchSourcesCatchConsumerFailure: over both sources, the same run
// and the same calls give the same verdict: a consumer's failed Decrypt
// after both keys rotated fails the RDS key's watch step naming the
// error, and passes the S3 key; a clean run passes both; the run's own
// calls are never reported.
func TestWatchSourcesCatchConsumerFailure(t *testing.T) {
	cases := map[string]struct {
		fail bool
	}{"consumer fails a Decrypt": {fail: true}, "clean run": {}}
	for src, setup := range watchSources {
		for name, tc := range cases {
			t.Run(src+"/"+name, func(t *testing.T) {
				w := newWorld(t, true)
				setup(t, w)
				ctx := context.Background()
				rds, s3 := w.key(t, "alias/dev/rds"), w.key(t, "alias/dev/s3")
				app := w.consumer(rds.Consumer)
				ct, err := app.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(s3.AliasARN()), Plaintext: []byte("s3 data")})
				if err != nil {
					t.Fatal(err)
				}
				w.eng.Concurrency = 2
				w.eng.Progress = atWatch(t, 2, func() {
					if !tc.fail {
						return
					}
					if _, err := app.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(rds.AliasARN()), CiphertextBlob: ct.CiphertextBlob}); err == nil {
						t.Error("a Decrypt naming the RDS key decrypted the S3 key's ciphertext")
					}
				})
				_, err = w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{rds, s3}, Strategy: estate.StrategyInPlace, ChangeRef: "CHG-src"})
				if !tc.fail {
					if err != nil {
						t.Fatalf("clean run: %v", err)
					}
					return
				}
				var kf *rotation.KeyFailure
				if !errors.Is(err, rotation.ErrFailedCalls) || !errors.As(err, &kf) || kf.Step != store.StepWatch ||
					kf.KeyARN != aws.ToString(w.describe(t, rds.AliasARN(), rds.Region).Arn) || !strings.Contains(err.Error(), "IncorrectKeyException") {
					t.Fatalf("run: %v, want the RDS key's watch step to fail with the IncorrectKeyException", err)
				}
				if strings.Contains(err.Error(), "arn:aws:sts::"+w.est.SecurityAccount) {
					t.Fatalf("the watch reported byok's own calls: %v", err)
				}
			})
		}
	}
}

// TestWatchSourceMissingRefusedBeforeRun: with source eventbridge and no
// log group in the consumer account, the run is refused before anything
// is recorded or imported, naming the deploy parameter.
func TestWatchSourceMissingRefusedBeforeRun(t *testing.T) {
	w := newWorld(t, true)
	w.deployWatchSource(t, time.Second)
	ctx := context.Background()
	k := w.key(t, "alias/dev/rds")
	logs := cloudwatchlogs.NewFromConfig(w.sb.Config(ctx, k.Consumer))
	if _, err := logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(estate.DefaultWatchLogGroup)}); err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(w.describe(t, k.AliasARN(), k.Region).Arn)
	before := len(w.materials(t, keyARN, k.Region))
	_, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace, ChangeRef: "CHG-missing"})
	var se *watch.SourceError
	if !errors.Is(err, watch.ErrLogGroupMissing) || !errors.As(err, &se) || se.Account != k.Consumer || !strings.Contains(err.Error(), "KmsFailedCallsWatch") {
		t.Fatalf("run: %v, want the missing log group of %s refused, naming KmsFailedCallsWatch", err, k.Consumer)
	}
	if runs, _ := w.st.ListRuns(ctx); len(runs) != 0 {
		t.Fatalf("a refused pre-flight recorded runs %+v", runs)
	}
	if after := len(w.materials(t, keyARN, k.Region)); after != before {
		t.Fatalf("%d materials after the refusal, %d before: something was imported", after, before)
	}
}

// TestWatchSourceResumedRun: a run stopped in its watch step and resumed
// later reads the log group from the run's start again (new watchers),
// so a consumer's failure made while it was stopped is caught; a resume
// whose log group has gone is refused and leaves the journal as it was.
func TestWatchSourceResumedRun(t *testing.T) {
	w := newWorld(t, true)
	w.deployWatchSource(t, time.Second)
	ctx := context.Background()
	rds, s3 := w.key(t, "alias/dev/rds"), w.key(t, "alias/dev/s3")
	app := w.consumer(rds.Consumer)
	ct, err := app.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(s3.AliasARN()), Plaintext: []byte("s3 data")})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	w.eng.Progress = func(ev rotation.Progress) {
		if ev.Step == store.StepWatch && ev.Phase == store.PhaseBegin {
			stop()
		}
	}
	id, err := w.eng.Start(runCtx, rotation.Request{Keys: []estate.Key{rds}, Strategy: estate.StrategyInPlace, ChangeRef: "CHG-resume"})
	if !errors.Is(err, rotation.ErrStopped) && !errors.Is(err, context.Canceled) {
		t.Fatalf("run: %v, want it stopped in its watch step", err)
	}
	w.eng.Progress = nil
	if _, err := app.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(rds.AliasARN()), CiphertextBlob: ct.CiphertextBlob}); err == nil {
		t.Fatal("a Decrypt naming the RDS key decrypted the S3 key's ciphertext")
	}
	logs := cloudwatchlogs.NewFromConfig(w.sb.Config(ctx, w.est.SecurityAccount))
	w.sb.SetFaults(nil, false)
	if _, err := logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(estate.DefaultWatchLogGroup)}); err != nil {
		t.Fatal(err)
	}
	before, _ := w.st.GetRun(ctx, id)
	if err := w.eng.Resume(ctx, id); !errors.Is(err, watch.ErrLogGroupMissing) {
		t.Fatalf("resume without the Security account's log group: %v, want ErrLogGroupMissing", err)
	}
	if after, _ := w.st.GetRun(ctx, id); after.Status != before.Status {
		t.Fatalf("refused resume moved the run from %s to %s", before.Status, after.Status)
	}
	w.deployWatchIn(t, w.est.SecurityAccount, rds.Region) // the Security account's group again
	err = w.eng.Resume(ctx, id)
	if !errors.Is(err, rotation.ErrFailedCalls) || !strings.Contains(err.Error(), "IncorrectKeyException") {
		t.Fatalf("resume: %v, want the Decrypt made while stopped caught", err)
	}
}
