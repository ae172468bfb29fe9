package scan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/report"
)

// ErrExpectedMissing: the scan found no key or no resource where the estate
// expects some; see Gap.
var ErrExpectedMissing = errors.New("scan found nothing where the estate expects something")

// Gap is one place where the estate expects something the scan did not
// find: an estate alias missing from KMS, or a consumer account and Region
// the estate keeps keys for with no resource at all (a wrong Region, a
// verify role that sees an empty account, an estate that drifted).
type Gap struct {
	Account string
	Region  string
	Reason  string
}

func (g Gap) Error() string {
	return fmt.Sprintf("account %s Region %s: %s", g.Account, g.Region, g.Reason)
}

// Unwrap lets errors.Is(gap, ErrExpectedMissing) match.
func (g Gap) Unwrap() error { return ErrExpectedMissing }

// RunChecked is Run followed by Expect: the report and where it found
// nothing the estate expects.
func RunChecked(ctx context.Context, e *estate.Estate, d Deps, o Options) (report.Report, []Gap, error) {
	rep, out, err := run(ctx, e, d, o)
	if err != nil {
		return rep, nil, err
	}
	return rep, out.Gaps, nil
}

// Expect compares a scan with the estate. In every scanned Region each
// estate key's alias must exist in the Security account, and every scanned
// consumer account must hold at least one resource in each scanned Region
// where the estate keeps keys for its environment. Targets whose listing
// failed are skipped: they are already reported as incomplete.
func Expect(e *estate.Estate, rep report.Report, idx *compliance.Index) []Gap {
	present := map[[2]string]bool{}
	for _, r := range rep.Results {
		present[[2]string{r.Resource.Account, r.Resource.Region}] = true
	}
	return expect(e, rep.Meta, idx, func(account, region string) bool { return present[[2]string{account, region}] })
}

// expect is Expect on a streamed scan: present says whether the scan found
// any resource in account and region.
func expect(e *estate.Estate, m report.Meta, idx *compliance.Index, present func(account, region string) bool) []Gap {
	var gaps []Gap
	for _, k := range e.Keys() {
		if !slices.Contains(m.Regions, k.Region) {
			continue
		}
		if _, ok := idx.AliasTarget(k.Account, k.Region, k.Alias); !ok {
			gaps = append(gaps, Gap{Account: k.Account, Region: k.Region,
				Reason: fmt.Sprintf("no key: the estate alias %s does not exist there (create it, or fix regions/alias_format in the estate)", k.Alias)})
		}
	}
	for _, env := range e.Environments {
		if !slices.Contains(m.Accounts, env.Account) {
			continue
		}
		for _, region := range m.Regions {
			if g, ok := emptyTarget(e, m, env, region, present); ok {
				gaps = append(gaps, g)
			}
		}
	}
	return gaps
}

// emptyTarget is a gap when env's account has no resource in region though
// the estate keeps keys for env there and the listing succeeded.
func emptyTarget(e *estate.Estate, m report.Meta, env estate.Environment, region string, present func(account, region string) bool) (Gap, bool) {
	var svcs []string
	for _, svc := range e.Services {
		if _, ok := e.KeyFor(env.Name, svc, region); ok {
			svcs = append(svcs, string(svc))
		}
	}
	if len(svcs) == 0 {
		return Gap{}, false
	}
	for _, se := range m.Errors {
		if se.Account == env.Account && se.Region == region {
			return Gap{}, false
		}
	}
	if present(env.Account, region) {
		return Gap{}, false
	}
	return Gap{Account: env.Account, Region: region, Reason: fmt.Sprintf(
		"no resources: environment %s has estate keys for %s there but the scan found no RDS, DynamoDB or S3 resource (a wrong Region or account in the estate, or a verify role that sees nothing)",
		env.Name, strings.Join(svcs, ", "))}, true
}
