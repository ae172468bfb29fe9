package configsvc_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/byok-dev/byok/internal/sandbox/configsvc"
)

// putAs records evaluations for rule through the SDK, with a token the
// sandbox issued for it.
func putAs(t *testing.T, e *env, rule string, evals map[string]types.ComplianceType) {
	t.Helper()
	sb := e.sandbox(t, "a result token comes only from a Config rule's invocation; the sandbox issues one through its admin API")
	evs, err := sb.ConfigService.Events(configsvc.EventRequest{Account: e.acct, Region: e.region, RuleName: rule, MessageType: "scheduled"})
	if err != nil {
		t.Fatal(err)
	}
	in := &configservice.PutEvaluationsInput{ResultToken: aws.String(evs[0].ResultToken)}
	for id, c := range evals {
		in.Evaluations = append(in.Evaluations, types.Evaluation{ComplianceResourceType: aws.String(configsvc.TypeBucket),
			ComplianceResourceId: aws.String(id), ComplianceType: c, Annotation: aws.String(rule), OrderingTimestamp: aws.Time(time.Now())})
	}
	if _, err := e.conf.PutEvaluations(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// Two rules evaluate three buckets: a bucket one rule finds NON_COMPLIANT
// is NON_COMPLIANT with one contributor, one only NOT_APPLICABLE is
// INSUFFICIENT_DATA, as the API reference describes.
func TestComplianceByResource(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		putAs(t, e, "rule-a", map[string]types.ComplianceType{"mixed": types.ComplianceTypeNonCompliant, "good": types.ComplianceTypeCompliant, "na": types.ComplianceTypeNotApplicable})
		putAs(t, e, "rule-b", map[string]types.ComplianceType{"mixed": types.ComplianceTypeCompliant, "good": types.ComplianceTypeCompliant})

		desc, err := e.conf.DescribeComplianceByResource(ctx, &configservice.DescribeComplianceByResourceInput{ResourceType: aws.String(configsvc.TypeBucket)})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]types.ComplianceType{"mixed": types.ComplianceTypeNonCompliant, "good": types.ComplianceTypeCompliant, "na": types.ComplianceTypeInsufficientData}
		if len(desc.ComplianceByResources) != len(want) {
			t.Fatalf("DescribeComplianceByResource = %d resources, want %d", len(desc.ComplianceByResources), len(want))
		}
		for _, r := range desc.ComplianceByResources {
			id := aws.ToString(r.ResourceId)
			if r.Compliance.ComplianceType != want[id] {
				t.Errorf("%s = %s, want %s", id, r.Compliance.ComplianceType, want[id])
			}
			if id == "mixed" && (r.Compliance.ComplianceContributorCount == nil || r.Compliance.ComplianceContributorCount.CappedCount != 1) {
				t.Errorf("mixed contributors = %+v, want 1", r.Compliance.ComplianceContributorCount)
			}
		}
		page, err := e.conf.DescribeComplianceByResource(ctx, &configservice.DescribeComplianceByResourceInput{
			ComplianceTypes: []types.ComplianceType{types.ComplianceTypeNonCompliant}, Limit: 1})
		if err != nil || len(page.ComplianceByResources) != 1 || aws.ToString(page.ComplianceByResources[0].ResourceId) != "mixed" || page.NextToken != nil {
			t.Fatalf("NON_COMPLIANT filter: %+v, %v", page, err)
		}
		unknown, err := e.conf.DescribeComplianceByResource(ctx, &configservice.DescribeComplianceByResourceInput{
			ResourceType: aws.String(configsvc.TypeBucket), ResourceId: aws.String("never-evaluated")})
		if err != nil || len(unknown.ComplianceByResources) != 1 || unknown.ComplianceByResources[0].Compliance.ComplianceType != types.ComplianceTypeInsufficientData {
			t.Fatalf("never evaluated: %+v, %v", unknown, err)
		}

		det, err := e.conf.GetComplianceDetailsByResource(ctx, &configservice.GetComplianceDetailsByResourceInput{
			ResourceType: aws.String(configsvc.TypeBucket), ResourceId: aws.String("mixed")})
		if err != nil || len(det.EvaluationResults) != 2 {
			t.Fatalf("details of mixed: %+v, %v", det, err)
		}
		for _, r := range det.EvaluationResults {
			q := r.EvaluationResultIdentifier.EvaluationResultQualifier
			if aws.ToString(r.Annotation) != aws.ToString(q.ConfigRuleName) || aws.ToString(q.ResourceId) != "mixed" {
				t.Errorf("result = %+v", r)
			}
		}
		det, err = e.conf.GetComplianceDetailsByResource(ctx, &configservice.GetComplianceDetailsByResourceInput{
			ResourceType: aws.String(configsvc.TypeBucket), ResourceId: aws.String("mixed"), ComplianceTypes: []types.ComplianceType{types.ComplianceTypeNonCompliant}})
		if err != nil || len(det.EvaluationResults) != 1 || aws.ToString(det.EvaluationResults[0].EvaluationResultIdentifier.EvaluationResultQualifier.ConfigRuleName) != "rule-a" {
			t.Fatalf("NON_COMPLIANT details of mixed: %+v, %v", det, err)
		}
	})
}

func TestComplianceByResourceErrors(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		errs := map[string]error{}
		_, errs["details without id"] = e.conf.GetComplianceDetailsByResource(ctx, &configservice.GetComplianceDetailsByResourceInput{ResourceType: aws.String(configsvc.TypeBucket)})
		_, errs["describe id without type"] = e.conf.DescribeComplianceByResource(ctx, &configservice.DescribeComplianceByResourceInput{ResourceId: aws.String("b")})
		_, errs["describe limit 101"] = e.conf.DescribeComplianceByResource(ctx, &configservice.DescribeComplianceByResourceInput{Limit: 101})
		_, errs["describe bad type"] = e.conf.DescribeComplianceByResource(ctx, &configservice.DescribeComplianceByResourceInput{ComplianceTypes: []types.ComplianceType{"MAYBE"}})
		want := map[string]string{"details without id": "InvalidParameterValueException", "describe id without type": "InvalidParameterValueException",
			"describe limit 101": "InvalidLimitException", "describe bad type": "ValidationException"}
		for name, err := range errs {
			if code(err) != want[name] {
				t.Errorf("%s: err = %v, want %s", name, err, want[name])
			}
		}
	})
}
