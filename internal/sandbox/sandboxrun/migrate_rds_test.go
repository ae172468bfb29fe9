package sandboxrun_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// TestCopySnapshotCrossAccountKey re-keys a prod snapshot through the
// sandbox's own KMS: the Security account's prod RDS key (by key ARN, the
// policy lets prod use it) works; the dev key, whose policy does not name
// prod, is KMSKeyNotAccessibleFault.
func TestCopySnapshotCrossAccountKey(t *testing.T) {
	sb := sandboxrun.NewTest(t, true)
	ctx := context.Background()
	sec := kms.NewFromConfig(sb.Config(ctx, "111111111111"))
	keyARN := func(alias string) string {
		out, err := sec.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.KeyMetadata.Arn)
	}
	prod := rds.NewFromConfig(sb.Config(ctx, "333333333333"))
	if _, err := prod.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("prod-db"), DBSnapshotIdentifier: aws.String("final")}); err != nil {
		t.Fatal(err)
	}
	sb.AdvanceClock(rdssvc.DurSnapshot)
	_, err := prod.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("final"),
		TargetDBSnapshotIdentifier: aws.String("on-dev-key"), KmsKeyId: aws.String(keyARN("alias/dev/rds"))})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "KMSKeyNotAccessibleFault" {
		t.Fatalf("copy under the dev key from prod: %v; want KMSKeyNotAccessibleFault", err)
	}
	want := keyARN("alias/prod/rds")
	out, err := prod.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String("final"),
		TargetDBSnapshotIdentifier: aws.String("rekeyed"), KmsKeyId: aws.String(want)})
	if err != nil || aws.ToString(out.DBSnapshot.KmsKeyId) != want {
		t.Fatalf("copy under the prod key: %+v, %v; want key %s", out, err, want)
	}
}
