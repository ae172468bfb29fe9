package sqsvc_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/sqsvc"
)

// TestAdminSetsAppliedQuota: PUT /_byok/quotas sets the value Service
// Quotas reports; bad bodies are refused with what was wrong.
func TestAdminSetsAppliedQuota(t *testing.T) {
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(security, "security"); err != nil {
		t.Fatal(err)
	}
	put := func(body string) int {
		req, err := http.NewRequest(http.MethodPut, sb.URL()+"/_byok/quotas", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := sb.AdminClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cases := map[string]struct {
		body   string
		status int
	}{
		"lower the import parameters quota": {`{"account":"111111111111","region":"eu-west-1","service":"kms","quota":"GetParametersForImport","value":0.5}`, http.StatusOK},
		"unknown quota":                     {`{"account":"111111111111","region":"eu-west-1","service":"kms","quota":"Nope","value":1}`, http.StatusNotFound},
		"negative value":                    {`{"account":"111111111111","region":"eu-west-1","service":"kms","quota":"CreateKey","value":-1}`, http.StatusBadRequest},
		"missing account":                   {`{"region":"eu-west-1","service":"kms","quota":"CreateKey","value":1}`, http.StatusBadRequest},
		"unknown field":                     {`{"acount":"111111111111"}`, http.StatusBadRequest},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := put(c.body); got != c.status {
				t.Fatalf("status %d, want %d", got, c.status)
			}
		})
	}
	cfg := sb.Config(context.Background(), security)
	out, err := servicequotas.NewFromConfig(cfg).GetServiceQuota(context.Background(), &servicequotas.GetServiceQuotaInput{
		ServiceCode: aws.String("kms"), QuotaCode: aws.String(sqsvc.QuotaCode("kms", "GetParametersForImport"))})
	if err != nil || aws.ToFloat64(out.Quota.Value) != 0.5 {
		t.Fatalf("after PUT: %+v %v, want 0.5", out, err)
	}
}
