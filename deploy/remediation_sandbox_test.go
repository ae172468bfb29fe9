package deploy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/sandbox/ddbsvc"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// automation runs the steps of an SSM Automation document the way
// Automation does (inputs with {{ parameters }} substituted, sent to the
// named API; assertions and waits read the response by PropertySelector),
// through the real SDK against the sandbox. A wait advances the sandbox
// clock instead of sleeping.
type automation struct {
	sb   *sandboxrun.Sandbox
	s3   *s3.Client
	ddb  *dynamodb.Client
	apis map[string]func(context.Context, []byte) (any, error)
}

func newAutomation(sb *sandboxrun.Sandbox, account string) *automation {
	cfg := sb.Config(context.Background(), account)
	a := &automation{sb: sb, s3: awsx.S3(cfg), ddb: dynamodb.NewFromConfig(cfg)}
	a.apis = map[string]func(context.Context, []byte) (any, error){
		"s3:PutBucketEncryption": call(a.s3.PutBucketEncryption), "s3:GetBucketEncryption": call(a.s3.GetBucketEncryption),
		"dynamodb:UpdateTable": call(a.ddb.UpdateTable), "dynamodb:DescribeTable": call(a.ddb.DescribeTable),
	}
	return a
}

// call decodes a step's inputs into the SDK input (its members are named
// as the API names them, as Automation's inputs are) and calls the API.
func call[I, O any, Opt any](f func(context.Context, *I, ...Opt) (O, error)) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, raw []byte) (any, error) {
		in := new(I)
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(in); err != nil {
			return nil, fmt.Errorf("inputs do not fit the API: %w", err)
		}
		// encoding/json matches names regardless of case; Automation does not.
		back, _ := json.Marshal(in)
		var want, got any
		_ = json.Unmarshal(raw, &want)
		_ = json.Unmarshal(back, &got)
		if path := missingKey(want, got, "$"); path != "" {
			return nil, fmt.Errorf("input member %s is not spelled as the API spells it", path)
		}
		return f(ctx, in)
	}
}

func (a *automation) run(t *testing.T, content map[string]any, params map[string]string) {
	t.Helper()
	for _, s := range asList(content["mainSteps"]) {
		step := s.(map[string]any)
		in := fillParams(step["inputs"], params).(map[string]any)
		api := fmt.Sprintf("%v:%v", in["Service"], in["Api"])
		f := a.apis[api]
		if f == nil {
			t.Fatalf("step %v: no sandbox call for %s", step["name"], api)
		}
		selector, _ := in["PropertySelector"].(string)
		desired := fmt.Sprint(asList(in["DesiredValues"]))
		body := map[string]any{}
		for k, v := range in {
			if k != "Service" && k != "Api" && k != "PropertySelector" && k != "DesiredValues" {
				body[k] = v
			}
		}
		raw, _ := json.Marshal(body)
		for attempt := 0; ; attempt++ {
			out, err := f(context.Background(), raw)
			if err != nil {
				t.Fatalf("step %v (%s): %v", step["name"], api, err)
			}
			if selector == "" {
				break
			}
			got := fmt.Sprint([]any{selectProperty(t, out, selector)})
			if got == desired {
				break
			}
			if step["action"] != "aws:waitForAwsResourceProperty" || attempt == 5 {
				t.Fatalf("step %v: %s is %s, want %s", step["name"], selector, got, desired)
			}
			a.sb.AdvanceClock(ddbsvc.DurSSEUpdate)
		}
	}
}

// missingKey is the first key of want (recursively) that got lacks.
func missingKey(want, got any, at string) string {
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		for k, v := range w {
			if _, ok := g[k]; !ok {
				return at + "." + k
			}
			if p := missingKey(v, g[k], at+"."+k); p != "" {
				return p
			}
		}
	case []any:
		g, _ := got.([]any)
		for i, v := range w {
			if i >= len(g) {
				return fmt.Sprintf("%s[%d]", at, i)
			}
			if p := missingKey(v, g[i], fmt.Sprintf("%s[%d]", at, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

func fillParams(v any, params map[string]string) any {
	switch x := v.(type) {
	case string:
		return paramRef.ReplaceAllStringFunc(x, func(m string) string { return params[paramRef.FindStringSubmatch(m)[1]] })
	case map[string]any:
		out := map[string]any{}
		for k, c := range x {
			out[k] = fillParams(c, params)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = fillParams(c, params)
		}
		return out
	}
	return v
}

// selectProperty evaluates a "$.A.B[0].C" selector on the response.
func selectProperty(t *testing.T, out any, selector string) any {
	t.Helper()
	raw, _ := json.Marshal(out)
	var v any
	_ = json.Unmarshal(raw, &v)
	for _, seg := range strings.Split(strings.TrimPrefix(selector, "$."), ".") {
		name, idx, indexed := strings.Cut(strings.TrimSuffix(seg, "]"), "[")
		m, _ := v.(map[string]any)
		v = m[name]
		if indexed {
			i, _ := strconv.Atoi(idx)
			if l := asList(v); i < len(l) {
				v = l[i]
			} else {
				v = nil
			}
		}
	}
	return v
}

// TestRemediationDocumentsOnSandbox runs both documents against the
// sandbox, in the prod account, onto the prod estate keys (by ARN): a
// bucket gets SSE-KMS default encryption with the bucket key, a table
// switches from the AWS owned key to the estate key.
func TestRemediationDocumentsOnSandbox(t *testing.T) {
	tpl, err := loadTemplate("member-account.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sb := sandboxrun.NewTest(t, true)
	const security, prod = "111111111111", "333333333333"
	keyARN := func(alias string) string {
		d, err := kms.NewFromConfig(sb.Config(ctx, security)).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(d.KeyMetadata.Arn)
	}
	a := newAutomation(sb, prod)
	role := "arn:aws:iam::" + prod + ":role/byok-remediation"
	if _, err := a.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("byok-remediate-me"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(sb.Region())}}); err != nil {
		t.Fatal(err)
	}
	s3Key := keyARN("alias/prod/s3")
	a.run(t, props(tpl, "S3EncryptionDocument")["Content"].(map[string]any),
		map[string]string{"BucketName": "byok-remediate-me", "KmsKeyArn": s3Key, "AutomationAssumeRole": role})
	enc, err := a.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("byok-remediate-me")})
	if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) != 1 {
		t.Fatalf("bucket encryption after the document: %v", err)
	}
	if r := enc.ServerSideEncryptionConfiguration.Rules[0]; aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != s3Key || !aws.ToBool(r.BucketKeyEnabled) {
		t.Fatalf("bucket default %+v, want %s with the bucket key", r.ApplyServerSideEncryptionByDefault, s3Key)
	}
	createTable(t, a.ddb, "byok-remediate-me")
	ddbKey := keyARN("alias/prod/dynamodb")
	a.run(t, props(tpl, "DynamoDBKeyDocument")["Content"].(map[string]any),
		map[string]string{"TableName": "byok-remediate-me", "KmsKeyArn": ddbKey, "AutomationAssumeRole": role})
	d, err := a.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("byok-remediate-me")})
	if err != nil || d.Table.SSEDescription == nil || aws.ToString(d.Table.SSEDescription.KMSMasterKeyArn) != ddbKey {
		t.Fatalf("table encryption after the document: %v %+v", err, d)
	}
	if !reflect.DeepEqual(d.Table.SSEDescription.Status, ddbtypes.SSEStatusEnabled) {
		t.Fatalf("table SSE %s, want ENABLED", d.Table.SSEDescription.Status)
	}
}

func createTable(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest})
	if err != nil {
		t.Fatal(err)
	}
}
