package ddbsvc_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/sandbox"
	ddbsvc "github.com/byok-dev/byok/internal/sandbox/ddbsvc"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const (
	acct   = "222222222222"
	region = "eu-west-1"
	keyARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	newKey = "arn:aws:kms:eu-west-1:111111111111:key/0987dcba-09fe-87dc-65ba-ab0987654321"
	awsDDB = "arn:aws:kms:eu-west-1:222222222222:key/bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
)

// tableKeys stands in for the sibling KMS service with a fixed table.
type tableKeys map[string]string

func (t tableKeys) ResolveKey(_ svc.Call, ref string) (string, error) {
	if a, ok := t[ref]; ok {
		return a, nil
	}
	return "", fmt.Errorf("no key %q", ref)
}

var keys = tableKeys{"alias/dev/dynamodb": keyARN, keyARN: keyARN, newKey: newKey, "alias/dev/dynamodb-new": newKey, "alias/aws/dynamodb": awsDDB}

type env struct {
	srv *sandbox.Server
	ddb *ddbsvc.Service
	url string
	c   *dynamodb.Client
}

func newEnv(t testing.TB) *env {
	t.Helper()
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := ddbsvc.New(s.Env, keys)
	if err != nil {
		t.Fatal(err)
	}
	s.Register(d)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	cred, err := s.AddAccount(acct)
	if err != nil {
		t.Fatal(err)
	}
	c := dynamodb.New(dynamodb.Options{Region: region, BaseEndpoint: aws.String(ts.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.Secret, "")})
	return &env{srv: s, ddb: d, url: ts.URL, c: c}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func createInput(name string, sse *types.SSESpecification) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		SSESpecification:     sse}
}

// SSE settings at CreateTable and what DescribeTable reports for them:
// no SSEDescription for the AWS owned key, ENABLED KMS with the key ARN
// for the AWS managed key, an alias or an ARN, ValidationException for
// the rest.
func TestCreateTableSSE(t *testing.T) {
	eachDDB(t, func(t *testing.T, e *ddbEnv) {
		on, off := aws.Bool(true), aws.Bool(false)
		cases := map[string]struct {
			sse      *types.SSESpecification
			wantKey  string // "" = SSEDescription absent; "aws" = the AWS managed key
			wantCode string
		}{
			"default owned key":   {},
			"disabled":            {sse: &types.SSESpecification{Enabled: off}},
			"aws managed":         {sse: &types.SSESpecification{Enabled: on}, wantKey: "aws"},
			"alias":               {sse: &types.SSESpecification{Enabled: on, SSEType: types.SSETypeKms, KMSMasterKeyId: aws.String(e.alias)}, wantKey: e.keyARN},
			"arn":                 {sse: &types.SSESpecification{Enabled: on, KMSMasterKeyId: aws.String(e.keyARN)}, wantKey: e.keyARN},
			"unknown key":         {sse: &types.SSESpecification{Enabled: on, KMSMasterKeyId: aws.String("alias/" + e.be.Unique("none"))}, wantCode: "ValidationException"},
			"AES256":              {sse: &types.SSESpecification{Enabled: on, SSEType: types.SSETypeAes256}, wantCode: "ValidationException"},
			"key but not enabled": {sse: &types.SSESpecification{Enabled: off, KMSMasterKeyId: aws.String(e.keyARN)}, wantCode: "ValidationException"},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				tn := e.be.Unique("tbl")
				out, err := e.create(t, createInput(tn, tc.sse))
				if tc.wantCode != "" {
					if code(err) != tc.wantCode {
						t.Fatalf("err = %v, want %s", err, tc.wantCode)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				d := out.Table
				if d.TableStatus != types.TableStatusActive || aws.ToString(d.TableArn) != "arn:aws:dynamodb:"+e.region+":"+e.acct+":table/"+tn || len(aws.ToString(d.TableId)) != 36 {
					t.Errorf("status %s arn %s id %s", d.TableStatus, aws.ToString(d.TableArn), aws.ToString(d.TableId))
				}
				want := tc.wantKey
				if want == "aws" {
					want = e.awsManaged(t)
				}
				switch {
				case want == "" && d.SSEDescription != nil:
					t.Errorf("SSEDescription = %+v, want absent for the AWS owned key", d.SSEDescription)
				case want != "" && (d.SSEDescription == nil || aws.ToString(d.SSEDescription.KMSMasterKeyArn) != want ||
					d.SSEDescription.Status != types.SSEStatusEnabled || d.SSEDescription.SSEType != types.SSETypeKms):
					t.Errorf("SSEDescription = %+v, want ENABLED KMS %s", d.SSEDescription, want)
				}
			})
		}
	})
}

func TestUpdateTableRekeysAndDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	on := aws.Bool(true)
	if _, err := e.c.CreateTable(ctx, createInput("orders", &types.SSESpecification{Enabled: on, KMSMasterKeyId: aws.String("alias/dev/dynamodb")})); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.CreateTable(ctx, createInput("orders", nil))
	if code(err) != "ResourceInUseException" {
		t.Fatalf("duplicate create: %v", err)
	}
	up, err := e.c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"),
		SSESpecification: &types.SSESpecification{Enabled: on, KMSMasterKeyId: aws.String("alias/dev/dynamodb-new")}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.TableDescription.SSEDescription.KMSMasterKeyArn) != newKey {
		t.Fatalf("after update key = %v", up.TableDescription.SSEDescription)
	}
	e.srv.Env.Clock.Advance(ddbsvc.DurSSEUpdate)
	_, err = e.c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"),
		SSESpecification: &types.SSESpecification{Enabled: on, KMSMasterKeyId: aws.String(newKey)}})
	if code(err) != "ValidationException" {
		t.Fatalf("same key again: %v, want ValidationException", err)
	}
	_, err = e.c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders")})
	if code(err) != "ValidationException" {
		t.Fatalf("empty update: %v", err)
	}
	if _, err := e.c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || aws.ToString(rnf.Message) != "Requested resource not found: Table: orders not found" {
		t.Fatalf("describe deleted: %v", err)
	}
	_, err = e.c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("orders"), BillingMode: types.BillingModePayPerRequest})
	if !errors.As(err, &rnf) {
		t.Fatalf("update deleted: %v", err)
	}
}

func TestListTablesPagination(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.ddb.Bulk(ddbsvc.BulkRequest{Account: acct, Region: region, Count: 250, Prefix: "t", KeyID: "alias/dev/dynamodb"}); err != nil {
		t.Fatal(err)
	}
	p := dynamodb.NewListTablesPaginator(e.c, &dynamodb.ListTablesInput{Limit: aws.Int32(100)})
	pages, total := 0, 0
	prev := ""
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, n := range out.TableNames {
			if n <= prev {
				t.Fatalf("names out of order: %s after %s", n, prev)
			}
			prev = n
			total++
		}
	}
	if pages != 3 || total != 250 {
		t.Fatalf("pages=%d tables=%d, want 3 pages, 250 tables", pages, total)
	}
	for _, bad := range []int32{0, 101} {
		if _, err := e.c.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(bad)}); code(err) != "ValidationException" {
			t.Errorf("Limit %d: %v, want ValidationException", bad, err)
		}
	}
	d, err := e.c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("t-00249")})
	if err != nil || aws.ToString(d.Table.SSEDescription.KMSMasterKeyArn) != keyARN {
		t.Fatalf("bulk table: %v %v", d, err)
	}
}

// TestThrottling registers DynamoDB's quota with its documented rate
// scaled down to 5/s (the sandbox cannot serve 2,500 signed calls a second
// on a small machine) and checks the SDK sees DynamoDB's throttling error.
func TestThrottling(t *testing.T) {
	e := newEnv(t)
	qs := ddbsvc.Quotas()
	if len(qs) != 1 || qs[0].PerSecond != 2500 || len(qs[0].Ops) != 5 {
		t.Fatalf("quotas = %+v, want one 2,500/s control-plane bucket over 5 operations", qs)
	}
	qs[0].PerSecond = 5
	e.srv.Faults.Register("dynamodb", qs, ddbsvc.ThrottleError)
	e.srv.Faults.EnforceQuotas(true)
	throttled := 0
	for range 20 {
		_, err := e.c.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String("nope")})
		switch code(err) {
		case "ThrottlingException":
			throttled++
		case "ResourceNotFoundException":
		default:
			t.Fatalf("unexpected %v", err)
		}
	}
	if throttled < 10 {
		t.Fatalf("throttled %d of 20, want ≥ 10", throttled)
	}
}
