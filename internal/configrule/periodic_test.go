package configrule

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	ctypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
)

// addDevResources records, through the sandbox Config's fault hook, an RDS
// instance and an S3 bucket on dev's keys of the in-memory index (the
// sandbox's RDS resolves keys in its own KMS and would refuse them).
func addDevResources(r *sbRig) {
	r.inject(configsvc.Item{ResourceType: "AWS::RDS::DBInstance", ResourceID: "db-7QWERTYUIOPASDFGHJKLZXCVBN", ResourceName: "orders-db",
		Configuration: json.RawMessage(`{"storageEncrypted":true,"kmsKeyId":"` + keyARN(idDevRDS) + `"}`)})
	r.inject(configsvc.Item{ResourceType: "AWS::S3::Bucket", ResourceID: "dev-orders-archive", ResourceName: "dev-orders-archive",
		Configuration: json.RawMessage(`{"name":"dev-orders-archive"}`),
		Supplementary: map[string]string{"ServerSideEncryptionConfiguration": `{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"aws:kms","kmsMasterKeyID":"` + keyARN(idDevS3) + `"}}]}`}})
}

// The periodic path on the sandbox: every discovered resource evaluated at
// the notification time, a resource Config stopped listing marked
// NOT_APPLICABLE, and an item that cannot be read reported while the rest
// is sent.
func TestHandlePeriodic(t *testing.T) {
	r := newSandboxRig(t, testIndex(t, 100*day))
	addDevResources(r)
	r.inject(configsvc.Item{ResourceType: "AWS::DynamoDB::Table", ResourceID: "orders", ResourceName: "orders",
		Configuration: json.RawMessage(`{"tableName":"orders"}`)})
	// A bucket evaluated COMPLIANT by an earlier run, deleted since.
	r.inject(configsvc.Item{ResourceType: "AWS::S3::Bucket", ResourceID: "old-bucket", Configuration: json.RawMessage(`{"name":"old-bucket"}`)})
	earlier := r.sandboxEvents("scheduled", "", "")[0]
	_, err := r.client.PutEvaluations(context.Background(), &configservice.PutEvaluationsInput{ResultToken: aws.String(earlier.ResultToken),
		Evaluations: []ctypes.Evaluation{{ComplianceResourceType: aws.String("AWS::S3::Bucket"), ComplianceResourceId: aws.String("old-bucket"),
			ComplianceType: ctypes.ComplianceTypeCompliant, Annotation: aws.String("x"), OrderingTimestamp: aws.Time(captureTime)}}})
	if err != nil {
		t.Fatal(err)
	}
	r.sb.ConfigService.RemoveInjected(devAcct, region, "AWS::S3::Bucket", "old-bucket")
	// An encrypted cluster item without kmsKeyId cannot be read.
	r.inject(configsvc.Item{ResourceType: "AWS::RDS::DBCluster", ResourceID: "cluster-ORDERSAURORA", ResourceName: "orders-aurora",
		Configuration: json.RawMessage(`{"storageEncrypted":true}`)})

	ev := r.sandboxEvents("scheduled", "", "")[0]
	at := notificationTime(t, ev)
	err = r.h.Handle(context.Background(), ev)
	var u *UndecidedError
	if !errors.As(err, &u) || len(u.Resources) != 1 || u.Resources[0].ID != "cluster-ORDERSAURORA" || !errors.Is(err, ErrUndecided) {
		t.Fatalf("err = %v, want the cluster undecided", err)
	}
	want := map[string]string{
		rdsRef: "COMPLIANT", s3Ref: "COMPLIANT", ddbRef: "NON_COMPLIANT", "AWS::S3::Bucket/old-bucket": "NOT_APPLICABLE",
	}
	evals := r.Evaluations(ruleName)
	if len(evals) != len(want) {
		t.Fatalf("evaluations = %+v", evals)
	}
	for ref, c := range want {
		if e := evals[ref]; e.Compliance != c || !e.Ordering.Equal(at) {
			t.Errorf("%s = %s at %v, want %s at %v", ref, e.Compliance, e.Ordering, c, at)
		}
	}
}

func notificationTime(t *testing.T, ev events.ConfigEvent) time.Time {
	t.Helper()
	d, err := DecodeEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	return d.NotificationTime
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

// PutEvaluations listing evaluations in FailedEvaluations (the sandbox
// Config's fault hook): sent once more, then reported.
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
			r := newSandboxRig(t, testIndex(t, 100*day))
			ev := r.event(t, "change-rds-instance.json")
			r.sb.ConfigService.FailEvaluations(tc.fail)
			err := r.h.Handle(context.Background(), ev)
			var fe *FailedEvaluationsError
			if tc.wantErr != errors.As(err, &fe) || tc.wantErr != errors.Is(err, ErrFailedEvaluations) {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr && (len(fe.Failed) != 1 || fe.Failed[0].String() != rdsRef) {
				t.Fatalf("failed = %v", fe.Failed)
			}
			if n := r.Calls("PutEvaluations"); n != tc.calls {
				t.Fatalf("PutEvaluations calls = %d, want %d", n, tc.calls)
			}
			if _, stored := r.Evaluations(ruleName)[rdsRef]; stored == tc.wantErr {
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
