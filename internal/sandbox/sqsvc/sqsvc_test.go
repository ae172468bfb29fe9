package sqsvc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas/types"

	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/sandbox/faults"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/sqsvc"
)

const security = "111111111111"

func client(t *testing.T, sb *sandboxrun.Sandbox) *servicequotas.Client {
	cfg := sb.Config(context.Background(), security)
	return servicequotas.NewFromConfig(cfg, func(o *servicequotas.Options) { o.RetryMaxAttempts = 1 })
}

func listAll(t *testing.T, c *servicequotas.Client, service string, page int32) map[string]types.ServiceQuota {
	t.Helper()
	out := map[string]types.ServiceQuota{}
	p := servicequotas.NewListServiceQuotasPaginator(c, &servicequotas.ListServiceQuotasInput{
		ServiceCode: aws.String(service), MaxResults: aws.Int32(page)})
	for p.HasMorePages() {
		pg, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range pg.Quotas {
			if _, dup := out[aws.ToString(q.QuotaName)]; dup {
				t.Fatalf("%s listed twice", aws.ToString(q.QuotaName))
			}
			out[aws.ToString(q.QuotaName)] = q
		}
	}
	return out
}

func TestListShowsTableAndAppliedValues(t *testing.T) {
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(security, "security"); err != nil {
		t.Fatal(err)
	}
	c := client(t, sb)
	got := listAll(t, c, pace.ServiceKMS, 7)
	want := pace.Defaults().Quotas(pace.ServiceKMS)
	if len(got) != len(want) {
		t.Fatalf("listed %d quotas, table has %d", len(got), len(want))
	}
	gpfi := "GetParametersForImport request rate"
	if v := aws.ToFloat64(got[gpfi].Value); v != 1 {
		t.Fatalf("default %s = %v, want 1", gpfi, v)
	}
	if err := sb.SetAppliedQuota(security, sb.Region(), pace.ServiceKMS, "GetParametersForImport", 5); err != nil {
		t.Fatal(err)
	}
	got = listAll(t, c, pace.ServiceKMS, 100)
	if v := aws.ToFloat64(got[gpfi].Value); v != 5 {
		t.Fatalf("applied %s = %v, want 5", gpfi, v)
	}
	code := sqsvc.QuotaCode(pace.ServiceKMS, "GetParametersForImport")
	one, err := c.GetServiceQuota(context.Background(), &servicequotas.GetServiceQuotaInput{
		ServiceCode: aws.String("kms"), QuotaCode: aws.String(code)})
	if err != nil || aws.ToFloat64(one.Quota.Value) != 5 || aws.ToString(one.Quota.QuotaName) != gpfi {
		t.Fatalf("GetServiceQuota = %+v, %v", one, err)
	}
	def, err := c.GetAWSDefaultServiceQuota(context.Background(), &servicequotas.GetAWSDefaultServiceQuotaInput{
		ServiceCode: aws.String("kms"), QuotaCode: aws.String(code)})
	if err != nil || aws.ToFloat64(def.Quota.Value) != 1 {
		t.Fatalf("GetAWSDefaultServiceQuota = %+v, %v", def, err)
	}
}

func TestErrors(t *testing.T) {
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount(security, "security"); err != nil {
		t.Fatal(err)
	}
	c := client(t, sb)
	ctx := context.Background()
	var noSuch *types.NoSuchResourceException
	var illegal *types.IllegalArgumentException
	var badToken *types.InvalidPaginationTokenException
	var denied *types.AccessDeniedException
	cases := map[string]struct {
		call func() error
		want any
	}{
		"unknown service": {func() error {
			_, err := c.ListServiceQuotas(ctx, &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("nosuch")})
			return err
		}, &noSuch},
		"unknown quota code": {func() error {
			_, err := c.GetServiceQuota(ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String("kms"), QuotaCode: aws.String("L-00000000")})
			return err
		}, &noSuch},
		"max results out of range": {func() error {
			_, err := c.ListServiceQuotas(ctx, &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("kms"), MaxResults: aws.Int32(101)})
			return err
		}, &illegal},
		"forged token": {func() error {
			_, err := c.ListServiceQuotas(ctx, &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("kms"), NextToken: aws.String("a21zOjk5OQ")})
			return err
		}, &badToken},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := tc.call(); err == nil || !errors.As(err, tc.want) {
				t.Fatalf("err = %v, want %T", err, tc.want)
			}
		})
	}
	sb.SetFaults([]faults.Rule{{Service: "servicequotas", Code: "AccessDeniedException", Status: 400, Message: "not authorized"}}, false)
	if _, err := c.ListServiceQuotas(ctx, &servicequotas.ListServiceQuotasInput{ServiceCode: aws.String("kms")}); !errors.As(err, &denied) {
		t.Fatalf("denied by rule: err = %v", err)
	}
}
