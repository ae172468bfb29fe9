package rotation_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/retire"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
	"github.com/byok-dev/byok/internal/store"
)

// retireWorld is the seeded demo sandbox and a state file; each step
// opens the application afresh (after a sandbox clock jump, cached STS
// sessions are expired by the sandbox's clock), with the engine judging
// periods by the sandbox's clock.
type retireWorld struct {
	sb    *sandboxrun.Sandbox
	est   *estate.Estate
	state string
}

const retireBucket = "byok-retire-test"

func newRetireWorld(t *testing.T) *retireWorld {
	t.Helper()
	useShm(t)
	est, err := seed.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	w := &retireWorld{sb: sandboxrun.NewTest(t, true), est: est, state: filepath.Join(t.TempDir(), "state.db")}
	isolateAWS(t, w.sb, est.SecurityAccount)
	return w
}

func (w *retireWorld) open(t *testing.T) *app.App {
	t.Helper()
	ctx := context.Background()
	base, err := awsx.Load(ctx, w.est.PrimaryRegion())
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, app.Options{Estate: w.est, AWS: base, StatePath: w.state, StateMode: store.ModeCreate, Operator: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.Engine.Now = w.sb.Now
	return a
}

// oldKey is a key of the Security account no alias points at, used by a
// bucket of that account (default encryption, one object) and by a
// direct Encrypt, and named by alias/legacy.
func (w *retireWorld) oldKey(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	k := kms.NewFromConfig(w.sb.Config(ctx, w.est.SecurityAccount))
	out, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("old key")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.KeyMetadata.Arn)
	must(t, func() error {
		_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: []byte("x")})
		return err
	}, func() error {
		_, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/legacy"), TargetKeyId: aws.String(arn)})
		return err
	})
	s := awsx.S3(w.sb.Config(ctx, w.est.SecurityAccount))
	must(t, func() error {
		_, err := s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(retireBucket),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(w.sb.Region())}})
		return err
	}, func() error {
		_, err := s.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(retireBucket),
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(arn)}}}}})
		return err
	}, func() error {
		_, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(retireBucket), Key: aws.String("ledger.csv"), Body: strings.NewReader("a,b")})
		return err
	})
	return arn
}

// clear removes every use of the old key but the CloudTrail history.
func (w *retireWorld) clear(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	k := kms.NewFromConfig(w.sb.Config(ctx, w.est.SecurityAccount))
	s := awsx.S3(w.sb.Config(ctx, w.est.SecurityAccount))
	must(t, func() error {
		_, err := k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/legacy")})
		return err
	}, func() error {
		_, err := s.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(retireBucket), Key: aws.String("ledger.csv")})
		return err
	}, func() error {
		_, err := s.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(retireBucket)})
		return err
	})
}

func must(t *testing.T, fs ...func() error) {
	t.Helper()
	for i, f := range fs {
		if err := f(); err != nil {
			t.Fatalf("setup call %d: %v", i, err)
		}
	}
}

func retireReq(key string, s rotation.Strategy) rotation.RetireRequest {
	return rotation.RetireRequest{Key: key, Strategy: s, ChangeRef: "CHG-retire",
		Options: rotation.RetireOptions{QuietFor: 30 * 24 * time.Hour, DisabledFor: 30 * 24 * time.Hour, PendingDays: 30}}
}

// TestRetireEndToEnd: a key in use is refused with the list of who and
// what (the bucket on it, its object version, the calls, the alias); once
// cleared and quiet for 30 days (the sandbox clock) it is disabled by a
// journaled, audited run; a second retire says so; --undo re-enables it;
// schedule-deletion is refused until it has been disabled for 30 days and
// then schedules the deletion with a 30-day window.
func TestRetireEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("sandbox end-to-end test: skipped with -short")
	}
	ctx := context.Background()
	w := newRetireWorld(t)
	arn := w.oldKey(t)
	rp, err := w.open(t).Engine.PrepareRetire(ctx, retireReq(arn, rotation.Retire))
	if err != nil || !errors.Is(rp.Blocked, rotation.ErrRetireBlocked) {
		t.Fatalf("retire of a key in use: %v, blocked %v", err, rp.Blocked)
	}
	checkBlockers(t, rp.Decision, map[retire.BlockerKind]string{retire.BlockResource: retireBucket,
		retire.BlockObjectVersions: retireBucket, retire.BlockRecentUse: w.est.SecurityAccount, retire.BlockAlias: "alias/legacy"})
	if _, err := w.open(t).Engine.RetirePrepared(ctx, rp); !errors.Is(err, rotation.ErrRetireBlocked) {
		t.Fatalf("a blocked plan ran: %v", err)
	}
	w.clear(t)
	w.sb.AdvanceClock(31 * 24 * time.Hour)
	w.runRetire(t, arn, rotation.Retire, types.KeyStateDisabled)
	var already *rotation.AlreadyError
	if _, err := w.open(t).Engine.PrepareRetire(ctx, retireReq(arn, rotation.Retire)); !errors.As(err, &already) {
		t.Fatalf("second retire: %v, want AlreadyError", err)
	}
	w.runRetire(t, arn, rotation.RetireUndo, types.KeyStateEnabled)
	w.runRetire(t, arn, rotation.Retire, types.KeyStateDisabled)
	rp, err = w.open(t).Engine.PrepareRetire(ctx, retireReq(arn, rotation.ScheduleDeletion))
	if err != nil || !errors.Is(rp.Blocked, rotation.ErrNotRetired) || rp.DisabledSince.IsZero() {
		t.Fatalf("schedule-deletion right after disabling: %v, blocked %v, want ErrNotRetired", err, rp.Blocked)
	}
	w.sb.AdvanceClock(31 * 24 * time.Hour)
	w.runRetire(t, arn, rotation.ScheduleDeletion, types.KeyStatePendingDeletion)
	md := w.describe(t, arn)
	if days := md.DeletionDate.Sub(w.sb.Now()).Hours() / 24; days < 29.9 || days > 30.1 {
		t.Fatalf("deletion in %.1f days, want 30", days)
	}
	w.checkAudit(t, arn, []string{"retire", "retire-undo", "retire", "schedule-deletion"})
}

func checkBlockers(t *testing.T, d retire.Decision, want map[retire.BlockerKind]string) {
	t.Helper()
	got := map[retire.BlockerKind]bool{}
	for _, b := range d.Blockers {
		if sub, ok := want[b.Kind]; ok && strings.Contains(b.Subject+" "+b.Account+" "+b.Detail, sub) {
			got[b.Kind] = true
		}
	}
	for k, sub := range want {
		if !got[k] {
			t.Errorf("no %s blocker naming %q in %+v", k, sub, d.Blockers)
		}
	}
}

func (w *retireWorld) runRetire(t *testing.T, arn string, s rotation.Strategy, want types.KeyState) {
	t.Helper()
	ctx := context.Background()
	a := w.open(t)
	rp, err := a.Engine.PrepareRetire(ctx, retireReq(arn, s))
	if err != nil || rp.Blocked != nil {
		t.Fatalf("%s: %v, blocked: %v", s, err, rp.Blocked)
	}
	id, err := a.Engine.RetirePrepared(ctx, rp)
	if err != nil {
		t.Fatalf("%s run %s: %v", s, id, err)
	}
	if run, err := a.Store.GetRun(ctx, id); err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("%s run %s: %+v %v", s, id, run, err)
	}
	if st := w.describe(t, arn).KeyState; st != want {
		t.Fatalf("after %s the key is %s, want %s", s, st, want)
	}
}

func (w *retireWorld) describe(t *testing.T, arn string) *types.KeyMetadata {
	t.Helper()
	d, err := kms.NewFromConfig(w.sb.Config(context.Background(), w.est.SecurityAccount)).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	return d.KeyMetadata
}

func (w *retireWorld) checkAudit(t *testing.T, arn string, want []string) {
	t.Helper()
	a := w.open(t)
	es, err := a.Audit.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		if e.KeyARN == arn && e.Outcome == audit.OutcomeSucceeded {
			got = append(got, e.Strategy)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit entries %v, want %v", got, want)
	}
	if _, err := a.Audit.Verify(context.Background()); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
}
