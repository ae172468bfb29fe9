package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/migrate"
)

// migrationDeps wires the planner's pre-flight: resource state through the
// scan's clients (the verify role), everything else through the member
// account's migration role, assumed from the operator role (the only
// principal its trust policy names). One assumption per account and
// Region, cached.
func migrationDeps(env *awsEnv, est *estate.Estate, roleTemplate string) migrate.Deps {
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
		op := env.Accounts().For(est.SecurityAccount)
		cfg := awsx.WithRegion(awsx.Assume(op, roleARN(account)), region)
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			failed[k] = fmt.Errorf("assume role: %w", err)
			return migrate.Role{}, failed[k]
		}
		r := migrate.Role{KMS: kms.NewFromConfig(cfg), S3: awsx.S3(cfg), Trail: cloudtrail.NewFromConfig(cfg)}
		cache[k] = r
		return r, nil
	}
	return migrate.Deps{
		RDS:      func(account, region string) migrate.RDS { return env.RDS(account, region) },
		DynamoDB: func(account, region string) migrate.DynamoDB { return env.DynamoDB(account, region) },
		RoleARN:  roleARN,
		Assume:   assume,
	}
}
