package configrule

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/byok-dev/byok/internal/awsx"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/byok-dev/byok/internal/keyfacts"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
)

const (
	rdsRef = "AWS::RDS::DBInstance/db-7QWERTYUIOPASDFGHJKLZXCVBN"
	s3Ref  = "AWS::S3::Bucket/dev-orders-archive"
	ddbRef = "AWS::DynamoDB::Table/orders"
)

// Each fixture, through the real SDK and the sandbox's Config, leaves
// exactly one evaluation with the verdict and reason of the evaluator.
func TestHandleChangeFixtures(t *testing.T) {
	tests := map[string]struct {
		ref        string
		compliance string
		reason     compliance.Reason
	}{
		"change-rds-instance.json":     {rdsRef, "COMPLIANT", compliance.ReasonCompliant},
		"change-rds-unencrypted.json":  {rdsRef, "NON_COMPLIANT", compliance.ReasonUnencrypted},
		"change-rds-cluster.json":      {"AWS::RDS::DBCluster/cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "COMPLIANT", compliance.ReasonCompliant},
		"change-dynamodb-kms.json":     {ddbRef, "COMPLIANT", compliance.ReasonCompliant},
		"change-dynamodb-default.json": {ddbRef, "NON_COMPLIANT", compliance.ReasonNotKMS},
		"change-s3-kms-string.json":    {s3Ref, "COMPLIANT", compliance.ReasonCompliant},
		"change-s3-kms-object.json":    {s3Ref, "COMPLIANT", compliance.ReasonCompliant},
		"change-s3-aes256.json":        {s3Ref, "NON_COMPLIANT", compliance.ReasonNotKMS},
		"change-s3-nodefault.json":     {s3Ref, "NON_COMPLIANT", compliance.ReasonUnencrypted},
		"change-s3-aws-managed.json":   {s3Ref, "NON_COMPLIANT", compliance.ReasonAWSManagedKey},
		"deleted-s3.json":              {s3Ref, "NOT_APPLICABLE", compliance.ReasonResourceDeleted},
		"leftscope-dynamodb.json":      {ddbRef, "NOT_APPLICABLE", ReasonOutOfScope},
		"change-rds-forged-tag.json":   {rdsRef, "COMPLIANT", compliance.ReasonCompliant},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := newSandboxRig(t, testIndex(t, 100*day))
			if err := r.h.Handle(context.Background(), r.event(t, name)); err != nil {
				t.Fatal(err)
			}
			checkOnly(t, r, tc.ref, tc.compliance, tc.reason)
			if got := r.Evaluations(ruleName)[tc.ref].Ordering; !got.Equal(captureTime.Truncate(1e6)) {
				t.Fatalf("OrderingTimestamp = %v, want capture time %v", got, captureTime)
			}
		})
	}
}

func checkOnly(t *testing.T, srv *sbRig, ref, verdict string, reason compliance.Reason) {
	t.Helper()
	evals := srv.Evaluations(ruleName)
	e, ok := evals[ref]
	if len(evals) != 1 || !ok {
		t.Fatalf("evaluations = %+v, want only %s", evals, ref)
	}
	if e.Compliance != verdict || !strings.HasPrefix(e.Annotation, string(reason)+":") {
		t.Fatalf("%s = %s %q, want %s %s", ref, e.Compliance, e.Annotation, verdict, reason)
	}
}

// Oversized notifications carry no configuration: the handler fetches the
// latest item (as the API returns it: JSON strings) before evaluating. The
// sandbox records the bucket and emits the oversized notification for it.
func TestHandleOversized(t *testing.T) {
	r := newSandboxRig(t, testIndex(t, 100*day))
	seedDevBucket(t, r)
	evs := r.sandboxEvents("oversized", "AWS::S3::Bucket", "dev-orders-archive")
	if len(evs) != 1 || strings.Contains(evs[0].InvokingEvent, `"configuration"`) {
		t.Fatalf("oversized events = %+v", evs)
	}
	if err := r.h.Handle(context.Background(), evs[0]); err != nil {
		t.Fatal(err)
	}
	if r.Calls("GetResourceConfigHistory") != 1 {
		t.Fatalf("GetResourceConfigHistory calls = %d", r.Calls("GetResourceConfigHistory"))
	}
	checkOnly(t, r, s3Ref, "COMPLIANT", compliance.ReasonCompliant)
}

// An oversized notification is about one configuration item, not the
// resource's latest: the bucket is recorded compliant, then changed to
// SSE-S3 (a second, NON_COMPLIANT item); the oversized notification of the
// first item yields the first item's verdict, at its capture time.
func TestOversizedEvaluatesItsOwnItem(t *testing.T) {
	r := newSandboxRig(t, testIndex(t, 100*day))
	seedDevBucket(t, r)
	first := r.sandboxEvents("oversized", "AWS::S3::Bucket", "dev-orders-archive")
	firstAt := captureOf(t, first[0])
	r.sb.AdvanceClock(time.Minute)
	_, err := awsx.S3(r.sb.Config(context.Background(), devAcct)).PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{
		Bucket: aws.String("dev-orders-archive"), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
			Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
				SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}})
	if err != nil {
		t.Fatal(err)
	}
	second := r.sandboxEvents("oversized", "AWS::S3::Bucket", "dev-orders-archive")
	if secondAt := captureOf(t, second[0]); !secondAt.After(firstAt) {
		t.Fatalf("second item captured %v, not after the first %v", secondAt, firstAt)
	}
	if err := r.h.Handle(context.Background(), first[0]); err != nil {
		t.Fatal(err)
	}
	checkOnly(t, r, s3Ref, "COMPLIANT", compliance.ReasonCompliant)
	if got := r.Evaluations(ruleName)[s3Ref].Ordering; !got.Equal(firstAt) {
		t.Fatalf("OrderingTimestamp = %v, want the first item's capture time %v", got, firstAt)
	}
	if err := r.h.Handle(context.Background(), second[0]); err != nil {
		t.Fatal(err)
	}
	checkOnly(t, r, s3Ref, "NON_COMPLIANT", compliance.ReasonNotKMS)
}

// captureOf reads the configurationItemCaptureTime of an oversized event.
func captureOf(t *testing.T, ev events.ConfigEvent) time.Time {
	t.Helper()
	d, err := DecodeEvent(ev)
	if err != nil || d.Item == nil {
		t.Fatalf("decode: %v", err)
	}
	return d.Item.CaptureTime
}

// seedDevBucket records dev-orders-archive on dev's S3 estate key. S3
// stores the key ID verbatim (it does not resolve it), so the bucket can
// name the in-memory index's key.
func seedDevBucket(t *testing.T, r *sbRig) {
	t.Helper()
	err := r.sb.S3.Seed(s3svc.BucketSeed{Account: devAcct, Region: region, Name: "dev-orders-archive",
		Encryption: &s3svc.Encryption{Algorithm: "aws:kms", KMSMasterKeyID: keyARN(idDevS3)}})
	if err != nil {
		t.Fatal(err)
	}
}

// The seed's forged-tag failure: a LastRotationDate tag on the resource
// (or anywhere) says nothing; ListKeyRotations' facts decide.
func TestForgedTagDoesNotHideOverdueKey(t *testing.T) {
	r := newSandboxRig(t, testIndex(t, 400*day))
	ev := r.event(t, "change-rds-forged-tag.json")
	if !strings.Contains(ev.InvokingEvent, `"LastRotationDate"`) {
		t.Fatal("fixture lost its forged tag")
	}
	if err := r.h.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	checkOnly(t, r, rdsRef, "NON_COMPLIANT", compliance.ReasonMaterialOverdue)
}

var errKMSDown = errors.New("dial tcp kms.eu-west-1.amazonaws.com:443: connect: connection refused")

// The seed's other failure: KMS unreachable must fail the invocation and
// send nothing, certainly not NON_COMPLIANT.
func TestFactsUnavailable(t *testing.T) {
	unreadable := testIndex(t, 100*day)
	for _, id := range []string{idDevS3, idDevRDS, idDevDDB} {
		if err := unreadable.Add(compliance.KeyFacts{ARN: keyARN(id), Err: errKMSDown}); err != nil {
			t.Fatal(err)
		}
	}
	tests := map[string]struct {
		facts   func(context.Context, *estate.Estate, []compliance.Resource) (Evaluator, error)
		fixture string
		want    error
	}{
		"facts source fails, change":   {failingFacts, "change-rds-instance.json", ErrFacts},
		"facts source fails, periodic": {failingFacts, "scheduled.json", ErrFacts},
		"key unreadable, change":       {bindFacts(unreadable), "change-s3-kms-string.json", ErrUndecided},
		"key unreadable, periodic":     {bindFacts(unreadable), "scheduled.json", ErrUndecided},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := newSandboxRig(t, nil)
			seedDevBucket(t, r)
			r.h.Facts = tc.facts
			err := r.h.Handle(context.Background(), r.event(t, tc.fixture))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if evals := r.Evaluations(ruleName); len(evals) != 0 {
				t.Fatalf("sent %+v despite unreadable facts", evals)
			}
		})
	}
}

func failingFacts(context.Context, *estate.Estate, []compliance.Resource) (Evaluator, error) {
	return nil, errKMSDown
}

func bindFacts(f compliance.Facts) func(context.Context, *estate.Estate, []compliance.Resource) (Evaluator, error) {
	return func(context.Context, *estate.Estate, []compliance.Resource) (Evaluator, error) { return Bind(f), nil }
}

// KMS really unreachable: the production facts source (package keyfacts
// over the real KMS client) pointed at a closed port. The invocation
// fails and nothing is sent.
func TestKMSUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	client := kms.New(kms.Options{BaseEndpoint: aws.String(dead), Region: region, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	for _, fixture := range []string{"change-rds-instance.json", "change-s3-kms-string.json", "scheduled.json"} {
		t.Run(fixture, func(t *testing.T) {
			r := newSandboxRig(t, nil)
			seedDevBucket(t, r)
			r.h.Facts = SecurityAccountFacts(func(string) keyfacts.KMS { return client })
			err := r.h.Handle(context.Background(), r.event(t, fixture))
			if !errors.Is(err, ErrFacts) {
				t.Fatalf("err = %v, want ErrFacts", err)
			}
			if n := r.Calls("PutEvaluations"); n != 0 {
				t.Fatalf("PutEvaluations called %d times with KMS down: %+v", n, r.Evaluations(ruleName))
			}
		})
	}
}

// Rule parameters override the estate policy: the 100-day-old material is
// overdue for a 90-day rule.
func TestParamsOverridePolicy(t *testing.T) {
	r := newSandboxRig(t, testIndex(t, 100*day))
	ev := r.event(t, "change-rds-instance.json")
	ev.RuleParameters = `{"maxKeyAgeDays":"90"}`
	if err := r.h.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	checkOnly(t, r, rdsRef, "NON_COMPLIANT", compliance.ReasonMaterialOverdue)
}
