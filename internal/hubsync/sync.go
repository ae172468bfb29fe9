package hubsync

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/report"
)

// API is what hubsync calls on Security Hub in one account and Region.
type API interface {
	BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error)
	GetFindings(ctx context.Context, in *securityhub.GetFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.GetFindingsOutput, error)
}

// Clients returns the Security Hub client acting in account and region.
type Clients func(account, region string) API

// MaxBatch is BatchImportFindings' limit per call.
const MaxBatch = 100

// Failure is one finding Security Hub did not accept.
type Failure struct {
	ID, Account, Region string
	Code, Message       string
}

// Result counts what Security Hub accepted.
type Result struct {
	Imported int // NON_COMPLIANT findings created or updated ACTIVE
	Archived int // earlier byok findings imported again as ARCHIVED
	Failed   []Failure
}

// place is one account and Region of the scan.
type place struct{ account, region string }

// entry is one finding of the report with the verdict it was built from.
type entry struct {
	finding types.AwsSecurityFinding
	verdict string
}

// Sync imports rep's NON_COMPLIANT findings and archives the resolved ones,
// place by place. An error is returned for a call that failed outright
// (after the SDK's retries), with the Result of the places done so far.
func Sync(ctx context.Context, clients Clients, rep report.Report) (Result, error) {
	byPlace, err := entries(rep)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for _, p := range places(rep, byPlace) {
		if err := syncPlace(ctx, clients(p.account, p.region), p, byPlace[p], complete(rep, p), rep, &res); err != nil {
			return res, fmt.Errorf("security hub %s %s: %w", p.account, p.region, err)
		}
	}
	return res, nil
}

// entries builds every result's ASFF finding (report.ASFFFindings) and
// converts it to the SDK's type, grouped by place.
func entries(rep report.Report) (map[place]map[string]entry, error) {
	findings, err := report.ASFFFindings(rep)
	if err != nil {
		return nil, fmt.Errorf("build findings: %w", err)
	}
	out := map[place]map[string]entry{}
	for _, f := range findings {
		raw, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("build finding %s: %w", f.ID, err)
		}
		var sdk types.AwsSecurityFinding
		if err := json.Unmarshal(raw, &sdk); err != nil {
			return nil, fmt.Errorf("build finding %s: %w", f.ID, err)
		}
		p := place{f.AwsAccountID, f.Resources[0].Region}
		if out[p] == nil {
			out[p] = map[string]entry{}
		}
		out[p][f.ID] = entry{finding: sdk, verdict: f.ProductFields["byok/Verdict"]}
	}
	return out, nil
}

// places are the scanned accounts × Regions plus any place a result names,
// sorted.
func places(rep report.Report, byPlace map[place]map[string]entry) []place {
	seen := map[place]bool{}
	for _, a := range rep.Meta.Accounts {
		for _, r := range rep.Meta.Regions {
			seen[place{a, r}] = true
		}
	}
	for p := range byPlace {
		seen[p] = true
	}
	out := make([]place, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b place) int {
		return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.region, b.region))
	})
	return out
}

// complete reports whether the scan listed everything in p (no scan
// error there): only then does absence from the scan mean the resource
// is gone.
func complete(rep report.Report, p place) bool {
	for _, e := range rep.Meta.Errors {
		if e.Account == p.account && (e.Region == p.region || e.Region == "") {
			return false
		}
	}
	return true
}

// archivable are the verdicts whose earlier finding is closed.
var archivable = []string{compliance.Compliant.String(), compliance.Exempted.String(), compliance.NotApplicable.String()}
