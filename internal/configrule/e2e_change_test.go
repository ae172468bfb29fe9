package configrule_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/configrule"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
	"github.com/byok-dev/byok/internal/sandbox/faults"
)

const devAccount = "222222222222"

func (w *world) want(t *testing.T, account, ref string, c string, reason compliance.Reason) {
	t.Helper()
	if got := w.stored(t, account)[ref]; got.compliance != c || got.reason != string(reason) {
		t.Fatalf("%s = %+v, want %s %s", ref, got, c, reason)
	}
}

func (w *world) handleAll(t *testing.T, account, message, typ, id string) {
	t.Helper()
	if errs := w.run(t, w.events(t, account, message, typ, id)); len(errs) > 0 {
		t.Fatalf("%s %s %s: %v", message, typ, id, errors.Join(errs...))
	}
}

func (w *world) keyARN(t *testing.T, alias string) string {
	t.Helper()
	c := kms.NewFromConfig(w.cfg(t, w.est.SecurityAccount))
	out, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// Resources change after a first periodic run; the events of the change
// update Config, which keeps agreeing with scan. The subtests run in order
// on one sandbox.
func TestE2EResourceChanges(t *testing.T) {
	eachWorld(t, testResourceChanges)
}

func testResourceChanges(t *testing.T, w *world) {
	ctx := context.Background()
	dev := w.cfg(t, devAccount)
	w.handleAll(t, devAccount, "scheduled", "", "")
	const logs = "AWS::S3::Bucket/byok-demo-dev-logs"
	w.want(t, devAccount, logs, "NON_COMPLIANT", compliance.ReasonAliasInOwnAccount)

	t.Run("bare alias bucket moved to the estate key ARN", func(t *testing.T) {
		_, err := awsx.S3(dev).PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("byok-demo-dev-logs"),
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
					KMSMasterKeyID: aws.String(w.keyARN(t, "alias/dev/s3"))}}}}})
		if err != nil {
			t.Fatal(err)
		}
		w.handleAll(t, devAccount, "change", "AWS::S3::Bucket", "byok-demo-dev-logs")
		w.want(t, devAccount, logs, "COMPLIANT", compliance.ReasonCompliant)
		w.agree(t, devAccount, w.scan(t), nil)
	})
	t.Run("deleted table is NOT_APPLICABLE after the periodic run", func(t *testing.T) {
		if _, err := dynamodb.NewFromConfig(dev).DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("dev-sessions")}); err != nil {
			t.Fatal(err)
		}
		w.handleAll(t, devAccount, "scheduled", "", "")
		w.want(t, devAccount, "AWS::DynamoDB::Table/dev-sessions", "NOT_APPLICABLE", compliance.ReasonResourceDeleted)
		w.agree(t, devAccount, w.scan(t), nil)
	})
	t.Run("forged LastRotationDate tag leaves the overdue key NON_COMPLIANT", func(t *testing.T) {
		today := w.sb.Now().UTC().Format("2006-01-02")
		_, err := kms.NewFromConfig(w.cfg(t, w.est.SecurityAccount)).TagResource(ctx, &kms.TagResourceInput{
			KeyId: aws.String(w.keyARN(t, "alias/dev/rds")),
			Tags:  []ktypes.Tag{{TagKey: aws.String("LastRotationDate"), TagValue: aws.String(today)}}})
		if err != nil {
			t.Fatal(err)
		}
		before := w.sb.Counters().Get(devAccount, "config", "PutEvaluations")
		w.handleAll(t, devAccount, "change", "AWS::RDS::DBInstance", "dev-db")
		if w.sb.Counters().Get(devAccount, "config", "PutEvaluations") == before {
			t.Fatal("no evaluation sent")
		}
		w.want(t, devAccount, "AWS::RDS::DBInstance/"+w.dbiResourceID(t, "dev-db"), "NON_COMPLIANT", compliance.ReasonMaterialOverdue)
		w.agree(t, devAccount, w.scan(t), nil)
	})
	t.Run("KMS unreachable fails the invocation and changes nothing", func(t *testing.T) {
		w.sb.SetFaults([]faults.Rule{{Service: "kms", Account: w.est.SecurityAccount, Code: "KMSInternalException", Status: 500,
			Message: "injected: KMS unavailable"}}, false)
		defer w.sb.SetFaults(nil, false)
		// keyfacts may leave reads of other keys retrying after the first
		// failure; ending ctx stops them before the sandbox shuts down.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		before := w.stored(t, devAccount)
		puts := w.sb.Counters().Get(devAccount, "config", "PutEvaluations")
		for _, ev := range w.events(t, devAccount, "change", "AWS::RDS::DBInstance", "dev-db") {
			err := w.h.Handle(ctx, ev)
			if !errors.Is(err, configrule.ErrFacts) && !errors.Is(err, configrule.ErrUndecided) {
				t.Fatalf("change with KMS down: err = %v, want ErrFacts or ErrUndecided", err)
			}
		}
		if n := w.sb.Counters().Get(devAccount, "config", "PutEvaluations"); n != puts {
			t.Fatalf("PutEvaluations called %d times with KMS down", n-puts)
		}
		for _, ev := range w.events(t, devAccount, "scheduled", "", "") {
			if err := w.h.Handle(ctx, ev); err == nil {
				t.Fatal("periodic run with KMS down succeeded")
			}
		}
		if after := w.stored(t, devAccount); !maps.Equal(before, after) {
			t.Fatalf("results changed with KMS down:\nbefore %v\nafter  %v", before, after)
		}
	})
}

// An organization rule: Config sends its service-linked role as
// executionRoleArn. With executionRoleName the evaluations land in the
// member account through that role; without it every invocation fails
// with an error naming the parameter, and nothing is recorded.
func TestE2EOrganizationExecutionRole(t *testing.T) {
	eachWorld(t, testOrganizationExecutionRole)
}

func testOrganizationExecutionRole(t *testing.T, w *world) {
	params := map[string]string{"estateS3Uri": "s3://" + estateBucket + "/" + estateKey}
	evs := w.eventsWith(t, configsvc.EventRequest{Account: devAccount, MessageType: "change", RuleParameters: params})
	if len(evs) == 0 {
		t.Fatal("no change events")
	}
	for _, ev := range evs {
		if !strings.HasSuffix(ev.ExecutionRoleArn, ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig") {
			t.Fatalf("sandbox event carries %s, want Config's service-linked role", ev.ExecutionRoleArn)
		}
		err := w.h.Handle(context.Background(), ev)
		if !errors.Is(err, configrule.ErrExecutionRole) || !strings.Contains(err.Error(), "executionRoleName") {
			t.Fatalf("without executionRoleName: err = %v, want ErrExecutionRole naming the parameter", err)
		}
	}
	if got := w.stored(t, devAccount); len(got) != 0 {
		t.Fatalf("recorded %v without a usable role", got)
	}
	params["executionRoleName"] = memberRole
	assumed := w.sb.Counters().Get(w.est.SecurityAccount, "sts", "AssumeRole")
	undecided := undecidedRefs(t, w.run(t, w.eventsWith(t, configsvc.EventRequest{Account: devAccount, MessageType: "change", RuleParameters: params})))
	if n := len(w.stored(t, devAccount)); n == 0 || n != len(evs)-len(undecided) {
		t.Fatalf("with executionRoleName: %d results stored for %d events (%d undecided)", n, len(evs), len(undecided))
	}
	if w.sb.Counters().Get(w.est.SecurityAccount, "sts", "AssumeRole") == assumed {
		t.Fatal("the member role was not assumed")
	}
}
