package securityhubsvc_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/securityhubsvc"
)

const (
	dev    = "222222222222"
	prod   = "333333333333"
	region = "eu-west-1"
)

func newClient(t testing.TB) func(account string) *securityhub.Client {
	t.Helper()
	s, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Register(securityhubsvc.New(s.Env))
	for _, a := range []string{dev, prod} {
		if _, err := s.AddAccount(a); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return func(account string) *securityhub.Client {
		akid, secret := sandbox.AccountKeys(account)
		return securityhub.New(securityhub.Options{Region: region, BaseEndpoint: aws.String(ts.URL), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")})
	}
}

func productArn(account string) string {
	return "arn:aws:securityhub:" + region + ":" + account + ":product/" + account + "/default"
}

func finding(account, id, compliance string) types.AwsSecurityFinding {
	return types.AwsSecurityFinding{
		SchemaVersion: aws.String("2018-10-08"), Id: aws.String(id), ProductArn: aws.String(productArn(account)),
		GeneratorId: aws.String("byok/test"), AwsAccountId: aws.String(account),
		Types:     []string{"Software and Configuration Checks/AWS Security Best Practices"},
		CreatedAt: aws.String("2026-03-01T12:00:00.000Z"), UpdatedAt: aws.String("2026-03-01T12:00:00.000Z"),
		Severity: &types.Severity{Label: types.SeverityLabelHigh}, Title: aws.String("t " + id), Description: aws.String("d"),
		Resources:  []types.Resource{{Type: aws.String("AwsS3Bucket"), Id: aws.String("arn:aws:s3:::" + id), Region: aws.String(region)}},
		Compliance: &types.Compliance{Status: types.ComplianceStatus(compliance)},
	}
}

func TestImportValidatesEachFinding(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)(dev)
	noTitle := finding(dev, "no-title", "FAILED")
	noTitle.Title = aws.String("")
	badType := finding(dev, "bad-type", "FAILED")
	badType.Types = []string{"a/b/c/d"}
	noSev := finding(dev, "no-sev", "FAILED")
	noSev.Severity = nil
	otherAcct := finding(prod, "other-account", "FAILED")
	otherAcct.ProductArn = aws.String(productArn(dev))
	out, err := c.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []types.AwsSecurityFinding{
		finding(dev, "ok", "FAILED"), noTitle, badType, noSev, otherAcct}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.SuccessCount) != 1 || aws.ToInt32(out.FailedCount) != 4 {
		t.Fatalf("success %d failed %d: %+v", aws.ToInt32(out.SuccessCount), aws.ToInt32(out.FailedCount), out.FailedFindings)
	}
	want := map[string][2]string{
		"no-title":      {"InvalidInput", "data.Title should NOT be shorter than 1 characters."},
		"bad-type":      {"InvalidInput", "data.Types[0] should match pattern"},
		"no-sev":        {"InvalidInput", "required property 'FindingProviderFields'"},
		"other-account": {"AccessDeniedException", "AwsAccountId " + prod},
	}
	for _, f := range out.FailedFindings {
		w := want[aws.ToString(f.Id)]
		if aws.ToString(f.ErrorCode) != w[0] || !strings.Contains(aws.ToString(f.ErrorMessage), w[1]) {
			t.Errorf("%s: %s %q, want %s containing %q", aws.ToString(f.Id), aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage), w[0], w[1])
		}
	}
}

func TestImportBatchLimit(t *testing.T) {
	c := newClient(t)(dev)
	var fs []types.AwsSecurityFinding
	for i := range 101 {
		fs = append(fs, finding(dev, fmt.Sprint("f", i), "FAILED"))
	}
	_, err := c.BatchImportFindings(context.Background(), &securityhub.BatchImportFindingsInput{Findings: fs})
	var invalid *types.InvalidInputException
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "at most 100") {
		t.Fatalf("101 findings: %v, want InvalidInputException", err)
	}
	out, err := c.BatchImportFindings(context.Background(), &securityhub.BatchImportFindingsInput{Findings: fs[:100]})
	if err != nil || aws.ToInt32(out.SuccessCount) != 100 {
		t.Fatalf("100 findings: %v %+v", err, out)
	}
}

// getIDs pages through GetFindings with a small page size.
func getIDs(t *testing.T, c *securityhub.Client, filters *types.AwsSecurityFindingFilters) []string {
	t.Helper()
	var ids []string
	p := securityhub.NewGetFindingsPaginator(c, &securityhub.GetFindingsInput{Filters: filters, MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Findings {
			ids = append(ids, aws.ToString(f.Id))
		}
	}
	return ids
}

func eq(v string) []types.StringFilter {
	return []types.StringFilter{{Value: aws.String(v), Comparison: types.StringFilterComparisonEquals}}
}

func TestGetFindingsFiltersAndPages(t *testing.T) {
	ctx := context.Background()
	clients := newClient(t)
	c := clients(dev)
	var fs []types.AwsSecurityFinding
	for i := range 5 {
		status := "FAILED"
		if i%2 == 1 {
			status = "PASSED"
		}
		fs = append(fs, finding(dev, fmt.Sprint("f", i), status))
	}
	if _, err := c.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: fs}); err != nil {
		t.Fatal(err)
	}
	if _, err := clients(prod).BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []types.AwsSecurityFinding{finding(prod, "p0", "FAILED")}}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		filters *types.AwsSecurityFindingFilters
		want    string
	}{
		"all of dev":        {nil, "f0 f1 f2 f3 f4"},
		"failed":            {&types.AwsSecurityFindingFilters{ComplianceStatus: eq("FAILED")}, "f0 f2 f4"},
		"id":                {&types.AwsSecurityFindingFilters{Id: eq("f3")}, "f3"},
		"resource":          {&types.AwsSecurityFindingFilters{ResourceId: eq("arn:aws:s3:::f4")}, "f4"},
		"product":           {&types.AwsSecurityFindingFilters{ProductArn: eq(productArn(prod))}, ""},
		"active new":        {&types.AwsSecurityFindingFilters{RecordState: eq("ACTIVE"), WorkflowStatus: eq("NEW")}, "f0 f1 f2 f3 f4"},
		"two ids or'ed":     {&types.AwsSecurityFindingFilters{Id: append(eq("f1"), eq("f2")...)}, "f1 f2"},
		"not equals and'ed": {&types.AwsSecurityFindingFilters{Id: []types.StringFilter{{Value: aws.String("f1"), Comparison: types.StringFilterComparisonNotEquals}, {Value: aws.String("f2"), Comparison: types.StringFilterComparisonNotEquals}}}, "f0 f3 f4"},
		"prefix":            {&types.AwsSecurityFindingFilters{ResourceId: []types.StringFilter{{Value: aws.String("arn:aws:s3:::f"), Comparison: types.StringFilterComparisonPrefix}}}, "f0 f1 f2 f3 f4"},
	} {
		if got := strings.Join(getIDs(t, c, tc.filters), " "); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
	_, err := c.GetFindings(ctx, &securityhub.GetFindingsInput{NextToken: aws.String("garbage")})
	var invalid *types.InvalidInputException
	if !errors.As(err, &invalid) {
		t.Fatalf("bad token: %v", err)
	}
}

// BatchUpdateFindings sets Workflow and Note; a re-import by the provider
// keeps them, and archiving or passing resolves a NEW finding.
func TestUpdateAndReimport(t *testing.T) {
	ctx := context.Background()
	c := newClient(t)(dev)
	imp := func(f types.AwsSecurityFinding) {
		t.Helper()
		out, err := c.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []types.AwsSecurityFinding{f}})
		if err != nil || aws.ToInt32(out.FailedCount) != 0 {
			t.Fatalf("import: %v %+v", err, out)
		}
	}
	imp(finding(dev, "a", "FAILED"))
	imp(finding(dev, "b", "FAILED"))
	out, err := c.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []types.AwsSecurityFindingIdentifier{{Id: aws.String("a"), ProductArn: aws.String(productArn(dev))},
			{Id: aws.String("missing"), ProductArn: aws.String(productArn(dev))}},
		Workflow: &types.WorkflowUpdate{Status: types.WorkflowStatusNotified},
		Note:     &types.NoteUpdate{Text: aws.String("ticket SEC-1"), UpdatedBy: aws.String("alice")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ProcessedFindings) != 1 || len(out.UnprocessedFindings) != 1 || aws.ToString(out.UnprocessedFindings[0].ErrorCode) != "FindingNotFound" {
		t.Fatalf("update: %+v", out)
	}
	again := finding(dev, "a", "FAILED")
	again.Workflow = &types.Workflow{Status: types.WorkflowStatusNew}
	imp(again)
	got := one(t, c, "a")
	if got.Workflow.Status != types.WorkflowStatusNotified || aws.ToString(got.Note.Text) != "ticket SEC-1" {
		t.Fatalf("re-import changed the customer's fields: %+v %+v", got.Workflow, got.Note)
	}
	archived := finding(dev, "b", "PASSED")
	archived.RecordState = types.RecordStateArchived
	imp(archived)
	if got := one(t, c, "b"); got.RecordState != types.RecordStateArchived || got.Workflow.Status != types.WorkflowStatusResolved {
		t.Fatalf("archived: %s / %s", got.RecordState, got.Workflow.Status)
	}
	_, err = c.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []types.AwsSecurityFindingIdentifier{{Id: aws.String("a"), ProductArn: aws.String(productArn(dev))}}})
	var invalid *types.InvalidInputException
	if !errors.As(err, &invalid) {
		t.Fatalf("update without fields: %v", err)
	}
}

func one(t *testing.T, c *securityhub.Client, id string) types.AwsSecurityFinding {
	t.Helper()
	out, err := c.GetFindings(context.Background(), &securityhub.GetFindingsInput{Filters: &types.AwsSecurityFindingFilters{Id: eq(id)}})
	if err != nil || len(out.Findings) != 1 {
		t.Fatalf("get %s: %v %d", id, err, len(out.Findings))
	}
	return out.Findings[0]
}
