package conformance_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/byok-dev/byok/internal/awslimits"
	"github.com/byok-dev/byok/internal/conformance/backend"
)

// PutEvaluations' documented constraints, which the Config rule relies on
// (batches of 100, annotations of 1–256 characters, no INSUFFICIENT_DATA),
// checked in TestMode: AWS validates without a real result token and
// records nothing.
func TestPutEvaluationsConstraints(t *testing.T) {
	backend.Each(t, func(t *testing.T, b *backend.Backend) {
		c := configservice.NewFromConfig(b.Config(t, b.Security))
		tests := map[string]struct {
			n          int
			ct         types.ComplianceType
			annotation string
			want       string
		}{
			"100 evaluations":            {awslimits.MaxEvaluations, types.ComplianceTypeCompliant, "ok", ""},
			"101 evaluations":            {awslimits.MaxEvaluations + 1, types.ComplianceTypeCompliant, "ok", "ValidationException"},
			"256 two-byte characters":    {1, types.ComplianceTypeNonCompliant, strings.Repeat("é", awslimits.MaxAnnotation), ""},
			"257 characters":             {1, types.ComplianceTypeNonCompliant, strings.Repeat("a", awslimits.MaxAnnotation+1), "ValidationException"},
			"INSUFFICIENT_DATA rejected": {1, types.ComplianceTypeInsufficientData, "x", "InvalidParameterValueException"},
		}
		for name, tc := range tests {
			t.Run(name, func(t *testing.T) {
				in := &configservice.PutEvaluationsInput{ResultToken: aws.String("byok-conformance"), TestMode: true}
				for i := range tc.n {
					in.Evaluations = append(in.Evaluations, types.Evaluation{ComplianceResourceType: aws.String("AWS::S3::Bucket"),
						ComplianceResourceId: aws.String(fmt.Sprintf("byok-conformance-%03d", i)), ComplianceType: tc.ct,
						Annotation: aws.String(tc.annotation), OrderingTimestamp: aws.Time(time.Now())})
				}
				_, err := c.PutEvaluations(context.Background(), in)
				if code(err) != tc.want || (tc.want == "" && err != nil) {
					t.Fatalf("%s: err = %v, want %q", b.Name(), err, tc.want)
				}
			})
		}
	})
}

// The read calls' documented parameter errors, which the rule's callers
// must tell apart from throttling and outages.
func TestConfigReadErrors(t *testing.T) {
	backend.Each(t, func(t *testing.T, b *backend.Backend) {
		c := configservice.NewFromConfig(b.Config(t, b.Security))
		ctx := context.Background()
		now := time.Now()
		errs := map[string]error{}
		_, errs["InvalidTimeRangeException"] = c.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
			ResourceType: types.ResourceTypeBucket, ResourceId: aws.String("byok-conformance-none"), EarlierTime: aws.Time(now), LaterTime: aws.Time(now.Add(-time.Hour))})
		_, errs["InvalidLimitException"] = c.DescribeComplianceByResource(ctx, &configservice.DescribeComplianceByResourceInput{Limit: 101})
		_, errs["NoSuchConfigRuleException"] = c.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{
			ConfigRuleName: aws.String("byok-conformance-no-such-rule")})
		for want, err := range errs {
			if code(err) != want {
				t.Errorf("%s: err = %v, want %s", b.Name(), err, want)
			}
		}
	})
}
