package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/inventory"
	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/scan"
)

// PlanOptions are what byok migrate plan (and apply, and the demo) plan.
type PlanOptions struct {
	// Selection picks the results (account of --env, --key, --resource).
	Selection migrate.Selection
	// Accounts scanned (nil: every estate account).
	Accounts []string
	// To is --to: a target key ARN for every item ("" the estate's).
	To string
	// RoleTemplate is the migration role ARN with {account}
	// (DefaultMigrationRole when empty).
	RoleTemplate    string
	Source, Version string
	// Progress is the scan's progress callback (may be nil).
	Progress func(t inventory.Target, service string, n int)
}

// PlanMigration scans the selection and plans it with the pre-flight: the
// one path of byok migrate plan, byok migrate apply and the demo. Listings
// that failed are in Plan.Errors (their resources are not planned).
func PlanMigration(ctx context.Context, est *estate.Estate, c *Clients, o PlanOptions) (migrate.Plan, error) {
	rep, idx, err := scan.RunIndexed(ctx, est, scan.Deps{Inventory: c.Inventory(), KMS: c.KeyFacts()},
		scan.Options{Accounts: o.Accounts, Now: time.Now(), Source: o.Source, Version: o.Version, Progress: o.Progress})
	if err != nil {
		return migrate.Plan{}, err
	}
	items := migrate.Build(rep.Results, o.Selection, idx.Key, migrate.EstateTargets(est, idx.AliasTarget, o.To))
	now := time.Now()
	plan := migrate.Plan{GeneratedAt: now.UTC(), Items: migrate.Gather(ctx, items, c.MigrationDeps(est.SecurityAccount, o.RoleTemplate), now, 4)}
	for _, e := range rep.Meta.Errors {
		plan.Errors = append(plan.Errors, fmt.Sprintf("%s/%s %s: %s", e.Account, e.Region, e.Service, e.Message))
	}
	return plan, nil
}

// MigrationDeps wires the planner's pre-flight: resource state through
// the scan's clients (the verify role), everything else through the member
// account's migration role (roleTemplate, DefaultMigrationRole when
// empty), assumed from the operator role in securityAccount (the only
// principal its trust policy names). One assumption per account and
// Region, cached, a failure too.
func (c *Clients) MigrationDeps(securityAccount, roleTemplate string) migrate.Deps {
	if roleTemplate == "" {
		roleTemplate = DefaultMigrationRole
	}
	roleARN := func(account string) string { return strings.ReplaceAll(roleTemplate, "{account}", account) }
	type slot struct{ account, region string }
	var mu sync.Mutex
	cache := map[slot]migrate.Role{}
	failed := map[slot]error{}
	assume := func(ctx context.Context, account, region string) (migrate.Role, error) {
		mu.Lock()
		defer mu.Unlock()
		k := slot{account, region}
		if r, ok := cache[k]; ok {
			return r, nil
		}
		if err, ok := failed[k]; ok {
			return migrate.Role{}, err
		}
		cfg := awsx.WithRegion(awsx.Assume(c.Accounts().For(securityAccount), roleARN(account)), region)
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			failed[k] = fmt.Errorf("assume role: %w", err)
			return migrate.Role{}, failed[k]
		}
		r := migrate.Role{KMS: kms.NewFromConfig(cfg), S3: awsx.S3(cfg), Trail: cloudtrail.NewFromConfig(cfg)}
		cache[k] = r
		return r, nil
	}
	return migrate.Deps{
		RDS:      func(account, region string) migrate.RDS { return c.RDS(account, region) },
		DynamoDB: func(account, region string) migrate.DynamoDB { return c.DynamoDB(account, region) },
		RoleARN:  roleARN,
		Assume:   assume,
	}
}
