package configrule

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/configrule/configtest"
)

// addDevResources records an RDS instance and an S3 bucket on dev's keys,
// as the member account's Config would (configuration and supplementary
// values as JSON strings).
func addDevResources(srv *configtest.Server) {
	srv.AddItem(configtest.Item{Type: "AWS::RDS::DBInstance", ID: "db-7QWERTYUIOPASDFGHJKLZXCVBN", Name: "orders-db",
		Account: devAcct, Region: region, Status: "OK", CaptureTime: captureTime,
		Configuration: `{"storageEncrypted":true,"kmsKeyId":"` + keyARN(idDevRDS) + `"}`})
	srv.AddItem(configtest.Item{Type: "AWS::S3::Bucket", ID: "dev-orders-archive", Name: "dev-orders-archive",
		Account: devAcct, Region: region, Status: "OK", CaptureTime: captureTime, Configuration: `{"name":"dev-orders-archive"}`,
		Supplementary: map[string]string{"ServerSideEncryptionConfiguration": `{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"aws:kms","kmsMasterKeyID":"` + keyARN(idDevS3) + `"}}]}`}})
}

func TestHandlePeriodic(t *testing.T) {
	r := newRig(t, testIndex(t, 100*day))
	addDevResources(r.srv)
	r.srv.AddItem(configtest.Item{Type: "AWS::DynamoDB::Table", ID: "orders", Name: "orders", Account: devAcct, Region: region,
		Status: "OK", CaptureTime: captureTime, Configuration: `{"tableName":"orders"}`})
	// A bucket deleted since the last run: Config no longer lists it.
	r.srv.AddItem(configtest.Item{Type: "AWS::S3::Bucket", ID: "old-bucket", Account: devAcct, Region: region, Status: "ResourceDeleted", CaptureTime: captureTime})
	r.srv.SetEvaluation(configtest.Evaluation{Rule: ruleName, Type: "AWS::S3::Bucket", ID: "old-bucket", Compliance: "COMPLIANT", Annotation: "x", Ordering: captureTime})
	// A resource whose item cannot be read is reported, the rest is sent.
	r.srv.AddItem(configtest.Item{Type: "AWS::RDS::DBCluster", ID: "orders-aurora", Account: devAcct, Region: region, Status: "OK",
		CaptureTime: captureTime, Configuration: `{"storageEncrypted":true}`})

	err := r.h.Handle(context.Background(), r.event(t, "scheduled.json"))
	var u *UndecidedError
	if !errors.As(err, &u) || len(u.Resources) != 1 || u.Resources[0].ID != "orders-aurora" || !errors.Is(err, ErrUndecided) {
		t.Fatalf("err = %v, want the cluster undecided", err)
	}
	want := map[string]string{
		rdsRef: "COMPLIANT", s3Ref: "COMPLIANT", ddbRef: "NON_COMPLIANT", "AWS::S3::Bucket/old-bucket": "NOT_APPLICABLE",
	}
	evals := r.srv.Evaluations(ruleName)
	if len(evals) != len(want) {
		t.Fatalf("evaluations = %+v", evals)
	}
	for ref, c := range want {
		if e := evals[ref]; e.Compliance != c || !e.Ordering.Equal(scheduleTime) {
			t.Errorf("%s = %s at %v, want %s at %v", ref, e.Compliance, e.Ordering, c, scheduleTime)
		}
	}
}

// 250 buckets → three PutEvaluations calls of at most 100, through the SDK
// against an endpoint that rejects larger batches.
func TestPeriodicBatches(t *testing.T) {
	r := newRig(t, testIndex(t, 100*day))
	for i := range 250 {
		r.srv.AddItem(configtest.Item{Type: "AWS::S3::Bucket", ID: fmt.Sprintf("bucket-%03d", i), Account: devAcct, Region: region,
			Status: "OK", CaptureTime: captureTime, Configuration: `{}`})
	}
	if err := r.h.Handle(context.Background(), r.event(t, "scheduled.json")); err != nil {
		t.Fatal(err)
	}
	if got := r.srv.BatchSizes(); fmt.Sprint(got) != "[100 100 50]" {
		t.Fatalf("batch sizes = %v", got)
	}
	if n := len(r.srv.Evaluations(ruleName)); n != 250 {
		t.Fatalf("%d evaluations stored", n)
	}
	if n := r.srv.Calls("BatchGetResourceConfig"); n != 3 {
		t.Fatalf("BatchGetResourceConfig calls = %d", n)
	}
}

func TestFailedEvaluations(t *testing.T) {
	tests := map[string]struct {
		fail    int
		wantErr bool
		calls   int
	}{
		"retried once and stored": {fail: 1, calls: 2},
		"failing twice reported":  {fail: 2, wantErr: true, calls: 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, testIndex(t, 100*day))
			r.srv.FailEvaluations(tc.fail)
			err := r.h.Handle(context.Background(), r.event(t, "change-rds-instance.json"))
			var fe *FailedEvaluationsError
			if tc.wantErr != errors.As(err, &fe) || tc.wantErr != errors.Is(err, ErrFailedEvaluations) {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr && (len(fe.Failed) != 1 || fe.Failed[0].String() != rdsRef) {
				t.Fatalf("failed = %v", fe.Failed)
			}
			if n := r.srv.Calls("PutEvaluations"); n != tc.calls {
				t.Fatalf("PutEvaluations calls = %d, want %d", n, tc.calls)
			}
			if _, stored := r.srv.Evaluations(ruleName)[rdsRef]; stored == tc.wantErr {
				t.Fatalf("stored = %v", stored)
			}
		})
	}
}

// An INSUFFICIENT_DATA verdict from the evaluator fails a change event and
// is never sent (AWS would reject it anyway).
func TestInsufficientDataNotSent(t *testing.T) {
	r := newRig(t, compliance.NewIndex()) // no facts at all: the estate key is unreadable
	err := r.h.Handle(context.Background(), r.event(t, "change-rds-instance.json"))
	if !errors.Is(err, ErrUndecided) {
		t.Fatalf("err = %v", err)
	}
	if r.srv.Calls("PutEvaluations") != 0 {
		t.Fatal("PutEvaluations called")
	}
}
