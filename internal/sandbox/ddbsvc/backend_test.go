package ddbsvc_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/conformance/backend"
)

// tableWait bounds how long a table may stay CREATING; the sandbox
// creates tables ACTIVE, AWS within seconds to a minute.
const tableWait = 5 * time.Minute

// ddbEnv is a backend's consumer account with a customer managed key
// (and an alias to it) for tables to use.
type ddbEnv struct {
	be            *backend.Backend
	c             *dynamodb.Client
	acct, region  string
	keyARN, alias string
}

// eachDDB runs body on the in-process sandbox and, when enabled, on AWS.
func eachDDB(t *testing.T, body func(t *testing.T, e *ddbEnv)) {
	t.Helper()
	backend.Each(t, func(t *testing.T, be *backend.Backend) {
		e := &ddbEnv{be: be, acct: be.Consumer, region: be.Region, alias: "alias/" + be.Unique("dynamodb"),
			c: dynamodb.NewFromConfig(be.Config(t, be.Consumer), func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })}
		md := be.KMSKey(t, be.Consumer, &kms.CreateKeyInput{})
		e.keyARN = aws.ToString(md.Arn)
		be.Alias(t, be.Consumer, e.alias, e.keyARN)
		body(t, e)
	})
}

// create creates a table; one that was created is waited for (ACTIVE) and
// deleted when the test ends.
func (e *ddbEnv) create(t *testing.T, in *dynamodb.CreateTableInput) (*dynamodb.DescribeTableOutput, error) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.c.CreateTable(ctx, in); err != nil {
		return nil, err
	}
	w := dynamodb.NewTableExistsWaiter(e.c, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = time.Second })
	out, err := w.WaitForOutput(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName}, tableWait)
	t.Cleanup(func() {
		if _, err := e.c.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: in.TableName}); err != nil {
			t.Errorf("delete table %s: %v (delete it by hand)", aws.ToString(in.TableName), err)
		}
	})
	return out, err
}

// awsManaged is the ARN of the account's AWS managed DynamoDB key.
func (e *ddbEnv) awsManaged(t *testing.T) string {
	t.Helper()
	out, err := kms.NewFromConfig(e.be.Config(t, e.acct)).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/dynamodb")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// The aws variant of the converted tests, against `byok sandbox` run as a
// separate process and reached only through its endpoint and credentials.
func TestAWSVariantOnSandboxProcess(t *testing.T) {
	backend.RunOnProcess(t, "TestCreateTableSSE")
}
