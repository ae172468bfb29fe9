package configsvc_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/byok-dev/byok/internal/sandbox/configsvc"
)

func checkDetails(t *testing.T, e *env) {
	ctx := context.Background()
	p := configservice.NewGetComplianceDetailsByConfigRulePaginator(e.conf, &configservice.GetComplianceDetailsByConfigRuleInput{
		ConfigRuleName: aws.String("byok-rotation"), ComplianceTypes: []types.ComplianceType{types.ComplianceTypeNonCompliant}, Limit: 40})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.EvaluationResults {
			q := r.EvaluationResultIdentifier.EvaluationResultQualifier
			if aws.ToString(q.ConfigRuleName) != "byok-rotation" || aws.ToString(q.ResourceType) != "AWS::DynamoDB::Table" ||
				aws.ToString(r.Annotation) != "KEY_MATERIAL_OVERDUE: 400 days" || r.ResultRecordedTime == nil {
				t.Fatalf("result = %+v", r)
			}
			n++
		}
	}
	if n != 100 {
		t.Fatalf("NON_COMPLIANT results = %d, want 100", n)
	}
	out, err := e.conf.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{
		ConfigRuleName: aws.String("byok-rotation"), ComplianceTypes: []types.ComplianceType{types.ComplianceTypeCompliant}})
	if err != nil || len(out.EvaluationResults) != 0 {
		t.Fatalf("COMPLIANT filter: %v %v", out, err)
	}
	_, err = e.conf.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("nope")})
	if code(err) != "NoSuchConfigRuleException" {
		t.Fatalf("unknown rule: %v", err)
	}
}

func checkChangeEvent(t *testing.T, evs []events.ConfigEvent, dbi string) {
	t.Helper()
	for _, ev := range evs {
		var inv struct {
			MessageType string `json:"messageType"`
			Item        struct {
				ResourceType string                     `json:"resourceType"`
				ResourceID   string                     `json:"resourceId"`
				Account      string                     `json:"awsAccountId"`
				ARN          string                     `json:"ARN"`
				Config       json.RawMessage            `json:"configuration"`
				Sup          map[string]json.RawMessage `json:"supplementaryConfiguration"`
			} `json:"configurationItem"`
		}
		if err := json.Unmarshal([]byte(ev.InvokingEvent), &inv); err != nil {
			t.Fatal(err)
		}
		if inv.MessageType != configsvc.MessageChange || inv.Item.Account != acct || inv.Item.ARN == "" || inv.Item.Config[0] != '{' {
			t.Errorf("invoking event = %s", ev.InvokingEvent)
		}
		// Change notifications carry supplementary values as JSON values,
		// where the history API has strings.
		if inv.Item.ResourceType == configsvc.TypeBucket {
			sse, rp := inv.Item.Sup["ServerSideEncryptionConfiguration"], inv.Item.Sup["IsRequesterPaysEnabled"]
			if len(sse) == 0 || sse[0] != '{' || string(rp) != "false" {
				t.Errorf("bucket supplementaryConfiguration = %v, want an object and a boolean", inv.Item.Sup)
			}
		}
		if !strings.HasSuffix(ev.ExecutionRoleArn, ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig") {
			t.Errorf("executionRoleArn = %s, want Config's service-linked role by default", ev.ExecutionRoleArn)
		}
		if inv.Item.ResourceType == configsvc.TypeDBInstance && inv.Item.ResourceID != dbi {
			t.Errorf("rds event resourceId = %s, want %s", inv.Item.ResourceID, dbi)
		}
		if ev.RuleParameters != `{"maxKeyAgeDays":"365"}` || ev.Version != "1.0" || ev.AccountID != acct ||
			!strings.HasPrefix(ev.ConfigRuleArn, "arn:aws:config:eu-west-1:"+acct+":config-rule/config-rule-") || ev.ResultToken == "" {
			t.Errorf("event envelope = %+v", ev)
		}
	}
}
