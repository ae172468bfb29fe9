package hubsync

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/report"
)

// MaxAttempts bounds how often a finding that failed with a retryable
// code (throttling, internal error) is sent.
const MaxAttempts = 4

// retryPause is the pause before the n-th resend of failed findings.
var retryPause = func(n int) time.Duration { return time.Duration(n) * 250 * time.Millisecond }

func syncPlace(ctx context.Context, api API, p place, current map[string]entry, complete bool, rep report.Report, res *Result) error {
	active, err := activeIDs(ctx, api, p)
	if err != nil {
		return err
	}
	var send []types.AwsSecurityFinding
	imported := map[string]bool{}
	for id, e := range current {
		if e.verdict == compliance.NonCompliant.String() {
			send = append(send, e.finding)
			imported[id] = true
		}
	}
	archived := map[string]bool{}
	for id, old := range active {
		e, scanned := current[id]
		switch {
		case scanned && slices.Contains(archivable, e.verdict):
			f := e.finding
			f.RecordState = types.RecordStateArchived
			send = append(send, f)
		case !scanned && complete:
			send = append(send, archivedCopy(old, rep.Meta.ScanTime))
		default:
			continue
		}
		archived[id] = true
	}
	slices.SortFunc(send, func(a, b types.AwsSecurityFinding) int {
		return strings.Compare(aws.ToString(a.Id), aws.ToString(b.Id))
	})
	failed, err := importAll(ctx, api, send)
	if err != nil {
		return err
	}
	for _, f := range failed {
		id := aws.ToString(f.Id)
		delete(imported, id)
		delete(archived, id)
		res.Failed = append(res.Failed, Failure{ID: id, Account: p.account, Region: p.region,
			Code: aws.ToString(f.ErrorCode), Message: aws.ToString(f.ErrorMessage)})
	}
	res.Imported += len(imported)
	res.Archived += len(archived)
	return nil
}

// archivedCopy is a stored finding closed: its resource is gone.
func archivedCopy(f types.AwsSecurityFinding, at time.Time) types.AwsSecurityFinding {
	f.RecordState = types.RecordStateArchived
	f.UpdatedAt = aws.String(at.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	// Fields Security Hub maintains or customers own are not the provider's to send.
	f.Workflow, f.Note, f.UserDefinedFields, f.VerificationState = nil, nil, nil, ""
	f.ProcessedAt, f.WorkflowState, f.Region = nil, "", nil
	return f
}

// activeIDs lists the ACTIVE findings byok imported earlier in p.
func activeIDs(ctx context.Context, api API, p place) (map[string]types.AwsSecurityFinding, error) {
	in := &securityhub.GetFindingsInput{MaxResults: aws.Int32(100), Filters: &types.AwsSecurityFindingFilters{
		ProductArn:  eq(productArn(p)),
		GeneratorId: eq(report.ASFFGeneratorID),
		RecordState: eq(string(types.RecordStateActive)),
	}}
	out := map[string]types.AwsSecurityFinding{}
	pages := securityhub.NewGetFindingsPaginator(api, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get findings: %w", err)
		}
		for _, f := range page.Findings {
			out[aws.ToString(f.Id)] = f
		}
	}
	return out, nil
}

func eq(v string) []types.StringFilter {
	return []types.StringFilter{{Value: aws.String(v), Comparison: types.StringFilterComparisonEquals}}
}

// productArn is the account's default product in p's Region (the one
// report's ASFF findings name).
func productArn(p place) string {
	return "arn:" + compliance.PartitionOf(p.region) + ":securityhub:" + p.region + ":" + p.account + ":product/" + p.account + "/default"
}

// importAll sends findings in batches of MaxBatch, resending those that
// failed with a retryable code; it returns the findings that still failed.
func importAll(ctx context.Context, api API, findings []types.AwsSecurityFinding) ([]types.ImportFindingsError, error) {
	var failed []types.ImportFindingsError
	for start := 0; start < len(findings); start += MaxBatch {
		f, err := importBatch(ctx, api, findings[start:min(start+MaxBatch, len(findings))])
		if err != nil {
			return nil, err
		}
		failed = append(failed, f...)
	}
	return failed, nil
}

func importBatch(ctx context.Context, api API, batch []types.AwsSecurityFinding) ([]types.ImportFindingsError, error) {
	var final []types.ImportFindingsError
	for attempt := 1; len(batch) > 0; attempt++ {
		out, err := api.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: batch})
		if err != nil {
			return nil, fmt.Errorf("batch import findings: %w", err)
		}
		var retry []types.ImportFindingsError
		for _, f := range out.FailedFindings {
			if attempt < MaxAttempts && retryable(aws.ToString(f.ErrorCode)) {
				retry = append(retry, f)
			} else {
				final = append(final, f)
			}
		}
		if len(retry) == 0 {
			break
		}
		batch = pick(batch, retry)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(retryPause(attempt)):
		}
	}
	return final, nil
}

// retryable are the per-finding error codes worth sending again: throttling
// and Security Hub's own internal failures. Validation and access errors
// fail the same way every time.
func retryable(code string) bool {
	for _, s := range []string{"Throttl", "LimitExceeded", "TooManyRequests", "Internal", "ServiceUnavailable"} {
		if strings.Contains(code, s) {
			return true
		}
	}
	return false
}

// pick returns the findings of batch named in failed.
func pick(batch []types.AwsSecurityFinding, failed []types.ImportFindingsError) []types.AwsSecurityFinding {
	ids := map[string]bool{}
	for _, f := range failed {
		ids[aws.ToString(f.Id)] = true
	}
	var out []types.AwsSecurityFinding
	for _, f := range batch {
		if ids[aws.ToString(f.Id)] {
			out = append(out, f)
		}
	}
	return out
}
