package configsvc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/conformance/backend"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/configsvc"
	ddbsvc "github.com/byok-dev/byok/internal/sandbox/ddbsvc"
	rdssvc "github.com/byok-dev/byok/internal/sandbox/rdssvc"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

const (
	acct   = "222222222222"
	region = "eu-west-1"
	keyARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// tableKeys stands in for the sibling KMS service with a fixed table.
type tableKeys map[string]string

func (t tableKeys) ResolveKey(_ svc.Call, ref string) (string, error) {
	if a, ok := t[ref]; ok {
		return a, nil
	}
	return "", fmt.Errorf("no key %q", ref)
}

var keys = tableKeys{"alias/dev/rds": keyARN, "alias/dev/dynamodb": keyARN}

type env struct {
	// Set by eachEnv: the backend, its consumer account and Region.
	be           *backend.Backend
	acct, region string

	srv  *sandbox.Server
	cfg  *configsvc.Service
	s3   *s3svc.Service
	url  string
	conf *configservice.Client
	rds  *rds.Client
	ddb  *dynamodb.Client
}

func newEnv(t testing.TB) *env {
	t.Helper()
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err1 := rdssvc.New(s.Env, keys)
	d, err2 := ddbsvc.New(s.Env, keys)
	b, err3 := s3svc.New(s.Env)
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	c, err := configsvc.New(s.Env, r, d, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []svc.Service{r, d, b, c} {
		s.Register(v)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	cred, err := s.AddAccount(acct)
	if err != nil {
		t.Fatal(err)
	}
	creds := credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.Secret, "")
	return &env{srv: s, cfg: c, s3: b, url: ts.URL, acct: acct, region: region,
		conf: configservice.New(configservice.Options{Region: region, BaseEndpoint: aws.String(ts.URL), Credentials: creds, RetryMaxAttempts: 1}),
		rds:  rds.New(rds.Options{Region: region, BaseEndpoint: aws.String(ts.URL), Credentials: creds}),
		ddb:  dynamodb.New(dynamodb.Options{Region: region, BaseEndpoint: aws.String(ts.URL), Credentials: creds})}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func (e *env) seed(t *testing.T) (dbiResourceID string) {
	t.Helper()
	ctx := context.Background()
	out, err := e.rds.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("orders"),
		DBInstanceClass: aws.String("db.t4g.micro"), Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20),
		StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String("alias/dev/rds")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("carts"), BillingMode: dtypes.BillingModePayPerRequest,
		KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: dtypes.KeyTypeHash}},
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: dtypes.ScalarAttributeTypeS}},
		SSESpecification:     &dtypes.SSESpecification{Enabled: aws.Bool(true), KMSMasterKeyId: aws.String("alias/dev/dynamodb")}})
	if err != nil {
		t.Fatal(err)
	}
	err = e.s3.Seed(s3svc.BucketSeed{Account: acct, Region: region, Name: "dev-assets",
		Encryption: &s3svc.Encryption{Algorithm: "aws:kms", KMSMasterKeyID: "alias/dev/s3", BucketKeyEnabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.DBInstance.DbiResourceId)
}

// TestItemsShapedAsConfigRecordsThem checks the exact places byok's rule
// reads: RDS kmsKeyId under resourceId = DbiResourceId, DynamoDB
// ssedescription.kmsmasterKeyArn, S3's double-encoded supplementary value.
func TestItemsShapedAsConfigRecordsThem(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	dbi := e.seed(t)
	out, err := e.conf.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: []types.ResourceKey{
		{ResourceType: types.ResourceTypeDBInstance, ResourceId: aws.String(dbi)},
		{ResourceType: types.ResourceTypeTable, ResourceId: aws.String("carts")},
		{ResourceType: types.ResourceTypeBucket, ResourceId: aws.String("dev-assets")},
		{ResourceType: types.ResourceTypeBucket, ResourceId: aws.String("unknown")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.BaseConfigurationItems) != 3 {
		t.Fatalf("items = %d, want 3", len(out.BaseConfigurationItems))
	}
	var rdsCfg struct {
		ID  string `json:"dBInstanceIdentifier"`
		Key string `json:"kmsKeyId"`
		Enc bool   `json:"storageEncrypted"`
		Dbi string `json:"dbiResourceId"`
	}
	var ddbCfg map[string]any
	for _, it := range out.BaseConfigurationItems {
		switch it.ResourceType {
		case types.ResourceTypeDBInstance:
			mustJSON(t, aws.ToString(it.Configuration), &rdsCfg)
			if aws.ToString(it.ResourceName) != "orders" || !strings.HasPrefix(aws.ToString(it.ResourceId), "db-") {
				t.Errorf("rds item name %q id %q", aws.ToString(it.ResourceName), aws.ToString(it.ResourceId))
			}
		case types.ResourceTypeTable:
			mustJSON(t, aws.ToString(it.Configuration), &ddbCfg)
		case types.ResourceTypeBucket:
			want := `{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"aws:kms","kmsMasterKeyID":"alias/dev/s3"},"bucketKeyEnabled":true}]}`
			if got := it.SupplementaryConfiguration["ServerSideEncryptionConfiguration"]; got != want {
				t.Errorf("S3 supplementary = %s\nwant %s", got, want)
			}
		}
	}
	if rdsCfg.ID != "orders" || rdsCfg.Key != keyARN || !rdsCfg.Enc || rdsCfg.Dbi != dbi {
		t.Errorf("rds configuration = %+v", rdsCfg)
	}
	sse, _ := ddbCfg["ssedescription"].(map[string]any)
	if sse["kmsmasterKeyArn"] != keyARN || sse["ssetype"] != "KMS" || sse["status"] != "ENABLED" {
		t.Errorf("dynamodb ssedescription = %v", ddbCfg["ssedescription"])
	}
	many := make([]types.ResourceKey, 101)
	for i := range many {
		many[i] = types.ResourceKey{ResourceType: types.ResourceTypeBucket, ResourceId: aws.String(fmt.Sprint(i))}
	}
	_, err = e.conf.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: many})
	if code(err) != "ValidationException" {
		t.Fatalf("101 keys: %v", err)
	}
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("configuration %q: %v", s, err)
	}
}

func TestHistoryAndDiscovery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	dbi := e.seed(t)
	list := func(deleted bool) int {
		out, err := e.conf.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{
			ResourceType: types.ResourceTypeTable, IncludeDeletedResources: deleted})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.ResourceIdentifiers)
	}
	if n := list(false); n != 1 {
		t.Fatalf("tables discovered = %d", n)
	}
	e.srv.Env.Clock.Advance(time.Minute)
	if _, err := e.ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("carts")}); err != nil {
		t.Fatal(err)
	}
	if list(false) != 0 || list(true) != 1 {
		t.Fatalf("after delete: live %d, with deleted %d; want 0 and 1", list(false), list(true))
	}
	h, err := e.conf.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
		ResourceType: types.ResourceTypeTable, ResourceId: aws.String("carts")})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.ConfigurationItems) != 2 || h.ConfigurationItems[0].ConfigurationItemStatus != types.ConfigurationItemStatusResourceDeleted ||
		h.ConfigurationItems[1].ConfigurationItemStatus != types.ConfigurationItemStatusResourceDiscovered {
		t.Fatalf("history = %+v", h.ConfigurationItems)
	}
	e.srv.Env.Clock.Advance(time.Minute)
	if _, err := e.rds.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("orders"),
		DBInstanceClass: aws.String("db.r6g.large"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	h, err = e.conf.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
		ResourceType: types.ResourceTypeDBInstance, ResourceId: aws.String(dbi), Limit: 1})
	if err != nil || len(h.ConfigurationItems) != 1 || h.NextToken == nil || h.ConfigurationItems[0].ConfigurationItemStatus != types.ConfigurationItemStatusOk {
		t.Fatalf("rds history page = %+v, %v", h, err)
	}
}

// The discovery calls' documented errors for a resource Config never
// recorded and for bad paging parameters.
func TestDiscoveryErrors(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		errs := map[string]error{}
		_, errs["ResourceNotDiscoveredException"] = e.conf.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: types.ResourceTypeBucket, ResourceId: aws.String(e.unique("never-created"))})
		_, errs["InvalidLimitException"] = e.conf.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: types.ResourceTypeBucket, Limit: 101})
		_, errs["InvalidNextTokenException"] = e.conf.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: types.ResourceTypeBucket, NextToken: aws.String("!!")})
		for want, err := range errs {
			if code(err) != want {
				t.Errorf("%s: want %s, got %v", e.be.Name(), want, err)
			}
		}
	})
}

func TestEventsAndEvaluations(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	dbi := e.seed(t)
	evs, err := e.cfg.Events(configsvc.EventRequest{Account: acct, Region: region, RuleName: "byok-rotation", MessageType: "change",
		RuleParameters: map[string]string{"maxKeyAgeDays": "365"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 {
		t.Fatalf("events = %d, want 3 (instance, table, bucket)", len(evs))
	}
	checkChangeEvent(t, evs, dbi)
	ev := evs[0]
	put := func(token string, n int, ct types.ComplianceType, ann string) (*configservice.PutEvaluationsOutput, error) {
		in := &configservice.PutEvaluationsInput{ResultToken: aws.String(token)}
		for i := range n {
			ev := types.Evaluation{ComplianceResourceType: aws.String("AWS::DynamoDB::Table"), ComplianceResourceId: aws.String(fmt.Sprintf("t%03d", i)),
				ComplianceType: ct, OrderingTimestamp: aws.Time(time.Now())}
			if ann != "" {
				ev.Annotation = aws.String(ann)
			}
			in.Evaluations = append(in.Evaluations, ev)
		}
		return e.conf.PutEvaluations(ctx, in)
	}
	cases := map[string]struct {
		token string
		n     int
		ct    types.ComplianceType
		ann   string
		want  string
	}{
		"100 ok":            {ev.ResultToken, 100, types.ComplianceTypeNonCompliant, "KEY_MATERIAL_OVERDUE: 400 days", ""},
		"101 too many":      {ev.ResultToken, 101, types.ComplianceTypeCompliant, "", "ValidationException"},
		"insufficient data": {ev.ResultToken, 1, types.ComplianceTypeInsufficientData, "", "InvalidParameterValueException"},
		"annotation 257":    {ev.ResultToken, 1, types.ComplianceTypeCompliant, strings.Repeat("a", 257), "ValidationException"},
		"bad token":         {"forged", 1, types.ComplianceTypeCompliant, "", "InvalidResultTokenException"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := put(tc.token, tc.n, tc.ct, tc.ann)
			if code(err) != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// 256 characters of two bytes each: AWS counts characters (test mode:
	// validated, not recorded).
	_, err = e.conf.PutEvaluations(ctx, &configservice.PutEvaluationsInput{ResultToken: aws.String(ev.ResultToken), TestMode: true,
		Evaluations: []types.Evaluation{{ComplianceResourceType: aws.String("AWS::DynamoDB::Table"), ComplianceResourceId: aws.String("t000"),
			ComplianceType: types.ComplianceTypeCompliant, Annotation: aws.String(strings.Repeat("é", 256)), OrderingTimestamp: aws.Time(time.Now())}}})
	if err != nil {
		t.Fatalf("annotation of 256 two-byte characters: %v", err)
	}
	out, err := e.conf.PutEvaluations(ctx, &configservice.PutEvaluationsInput{ResultToken: aws.String(ev.ResultToken),
		Evaluations: []types.Evaluation{{ComplianceResourceType: aws.String("AWS::Made::Up"), ComplianceResourceId: aws.String("x"),
			ComplianceType: types.ComplianceTypeCompliant, OrderingTimestamp: aws.Time(time.Now())}}})
	if err != nil || len(out.FailedEvaluations) != 1 {
		t.Fatalf("unknown type: %+v, %v; want one FailedEvaluation", out, err)
	}
	checkDetails(t, e)
}
