package configrule

import (
	"context"
	"errors"
	"testing"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/configrule/configtest"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
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

// TestHandlePeriodic stays on the configtest fake: it needs an item the
// sandbox cannot record (an encrypted cluster without kmsKeyId) and
// resources on the in-memory index's keys, which the sandbox's RDS and
// DynamoDB refuse because they resolve keys in its KMS. The sandbox runs
// the periodic path end to end in e2e_test.go.
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

// 250 buckets → three PutEvaluations calls, through the SDK against the
// sandbox, which rejects batches of more than 100.
func TestPeriodicBatches(t *testing.T) {
	r := newSandboxRig(t, testIndex(t, 100*day))
	if _, err := r.sb.S3.Bulk(s3svc.BulkRequest{Account: devAcct, Region: region, Count: 250, Prefix: "bucket"}); err != nil {
		t.Fatal(err)
	}
	if err := r.h.Handle(context.Background(), r.event(t, "scheduled.json")); err != nil {
		t.Fatal(err)
	}
	if n := r.Calls("PutEvaluations"); n != 3 {
		t.Fatalf("PutEvaluations calls = %d, want 3", n)
	}
	if n := len(r.Evaluations(ruleName)); n != 250 {
		t.Fatalf("%d evaluations stored", n)
	}
	if n := r.Calls("BatchGetResourceConfig"); n != 3 {
		t.Fatalf("BatchGetResourceConfig calls = %d", n)
	}
}

// TestFailedEvaluations stays on the configtest fake: it needs
// PutEvaluations to report FailedEvaluations on demand, which the sandbox
// does only for resource types the rule never sends.
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
	r := newSandboxRig(t, compliance.NewIndex()) // no facts at all: the estate key is unreadable
	err := r.h.Handle(context.Background(), r.event(t, "change-rds-instance.json"))
	if !errors.Is(err, ErrUndecided) {
		t.Fatalf("err = %v", err)
	}
	if r.Calls("PutEvaluations") != 0 {
		t.Fatal("PutEvaluations called")
	}
}
