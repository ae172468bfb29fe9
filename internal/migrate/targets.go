package migrate

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// keyARNRE is a KMS key ARN (multi-Region keys included).
var keyARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// CheckTargetARN accepts only a key ARN for --to.
func CheckTargetARN(ref string) error {
	if !keyARNRE.MatchString(ref) {
		return fmt.Errorf("%q: %w", ref, ErrTargetAlias)
	}
	return nil
}

// AliasTarget resolves an alias in the Security account (the scan's index).
type AliasTarget func(account, region, alias string) (string, bool)

// EstateTargets returns the target of each resource: the estate key of its
// account's environment and service in its Region, by key ARN; to, when
// set, replaces it for every resource.
func EstateTargets(e *estate.Estate, aliases AliasTarget, to string) func(compliance.Resource) Target {
	return func(r compliance.Resource) Target {
		env, ok := e.EnvForAccount(r.Account)
		if !ok {
			return Target{Why: "account " + r.Account + " is no estate environment: it has no estate key to move to"}
		}
		if to != "" {
			return Target{Env: env.Name, KeyARN: to}
		}
		svc, ok := compliance.ServiceOf(r.Type)
		if !ok {
			return Target{Env: env.Name, Why: fmt.Sprintf("byok has no estate service for %s", r.Type)}
		}
		k, ok := e.KeyFor(env.Name, svc, r.Region)
		if !ok {
			return Target{Env: env.Name, Why: fmt.Sprintf("the estate has no %s key for %s in %s", svc, env.Name, r.Region)}
		}
		arn, ok := aliases(k.Account, k.Region, k.Alias)
		if !ok {
			return Target{Env: env.Name, Why: fmt.Sprintf("estate alias %s does not exist in %s/%s", k.Alias, k.Account, k.Region)}
		}
		if k.Region != r.Region { // a multi-Region replica: same key ID, the resource's Region
			arn = strings.Replace(arn, ":kms:"+k.Region+":", ":kms:"+r.Region+":", 1)
		}
		return Target{Env: env.Name, KeyARN: arn}
	}
}

// Build drafts an item for each selected result, ordered by account,
// Region, type and name.
func Build(results []compliance.Result, sel Selection, facts KeyFacts, target func(compliance.Resource) Target) []Item {
	picked := Select(results, sel, facts)
	items := make([]Item, 0, len(picked))
	for _, r := range picked {
		items = append(items, Draft(r, target(r.Resource)))
	}
	slices.SortFunc(items, func(a, b Item) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region),
			cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name))
	})
	return items
}
