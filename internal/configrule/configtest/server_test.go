package configtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/smithy-go"
	"github.com/byok-dev/byok/internal/configrule/configtest"
)

func client(srv *configtest.Server) *configservice.Client {
	return configservice.New(configservice.Options{BaseEndpoint: aws.String(srv.URL), Region: "eu-west-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
}

func eval(id, compliance, annotation string) types.Evaluation {
	return types.Evaluation{ComplianceResourceType: aws.String("AWS::S3::Bucket"), ComplianceResourceId: aws.String(id),
		ComplianceType: types.ComplianceType(compliance), Annotation: aws.String(annotation), OrderingTimestamp: aws.Time(time.Unix(1700000000, 0))}
}

// The fake answers what AWS documents, as typed SDK errors.
func TestPutEvaluationsValidation(t *testing.T) {
	many := make([]types.Evaluation, 101)
	for i := range many {
		many[i] = eval(fmt.Sprint(i), "COMPLIANT", "ok")
	}
	tests := map[string]struct {
		evals []types.Evaluation
		token bool
		code  string
	}{
		"insufficient data":   {[]types.Evaluation{eval("b", "INSUFFICIENT_DATA", "x")}, true, "InvalidParameterValueException"},
		"annotation too long": {[]types.Evaluation{eval("b", "COMPLIANT", strings.Repeat("é", 257))}, true, "ValidationException"},
		"annotation empty":    {[]types.Evaluation{eval("b", "COMPLIANT", "")}, true, "ValidationException"},
		"101 evaluations":     {many, true, "ValidationException"},
		"bad token":           {[]types.Evaluation{eval("b", "COMPLIANT", "x")}, false, "InvalidResultTokenException"},
		"256 runes accepted":  {[]types.Evaluation{eval("b", "COMPLIANT", strings.Repeat("é", 256))}, true, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := configtest.New()
			defer srv.Close()
			token := "not-issued"
			if tc.token {
				token = srv.Token("rule")
			}
			_, err := client(srv).PutEvaluations(context.Background(), &configservice.PutEvaluationsInput{ResultToken: aws.String(token), Evaluations: tc.evals})
			if tc.code == "" {
				if err != nil || len(srv.Evaluations("rule")) != 1 {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.code || len(srv.Evaluations("rule")) != 0 {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if tc.code == "InvalidParameterValueException" {
				var ipv *types.InvalidParameterValueException
				if !errors.As(err, &ipv) {
					t.Fatalf("err %T is not *types.InvalidParameterValueException", err)
				}
			}
		})
	}
}

func TestHistoryNotDiscovered(t *testing.T) {
	srv := configtest.New()
	defer srv.Close()
	_, err := client(srv).GetResourceConfigHistory(context.Background(), &configservice.GetResourceConfigHistoryInput{
		ResourceType: types.ResourceTypeBucket, ResourceId: aws.String("nope")})
	var nd *types.ResourceNotDiscoveredException
	if !errors.As(err, &nd) {
		t.Fatalf("err = %v", err)
	}
}
