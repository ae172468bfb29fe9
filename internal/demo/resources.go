package demo

import (
	"context"
	"fmt"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox/resources"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// legacyBucketEnv is the environment whose legacy exports bucket still uses
// the AWS-managed aws/s3 key (a finding no rotation fixes).
const legacyBucketEnv = "prod"

// SeedResources creates the demo's resources in every environment's
// account, through the SDK as that account's admin: per environment an S3
// bucket (the estate key by alias ARN), a DynamoDB table, an RDS instance
// and an Aurora cluster with two members (RDS stores the key the alias
// named at creation, so a later alias switch leaves them behind), and in
// prod a legacy bucket on the AWS-managed aws/s3 key.
func SeedResources(ctx context.Context, sb seed.Target, est *estate.Estate) error {
	for _, env := range est.Environments {
		spec, err := envSpec(est, env.Name)
		if err != nil {
			return err
		}
		for _, region := range est.Regions {
			cfg := sb.Config(ctx, env.Account)
			cfg.Region = region
			if err := resources.Create(ctx, cfg, spec); err != nil {
				return fmt.Errorf("%s resources in %s: %w", env.Name, region, err)
			}
		}
	}
	return nil
}

func envSpec(est *estate.Estate, env string) (resources.Spec, error) {
	ref := func(svc estate.Service) (string, error) {
		for _, k := range est.Keys() {
			if k.Env == env && k.Service == svc && k.Region == est.PrimaryRegion() {
				return k.AliasARN(), nil
			}
		}
		return "", fmt.Errorf("estate has no %s key for %s", svc, env)
	}
	s3Key, err := ref(estate.ServiceS3)
	if err != nil {
		return resources.Spec{}, err
	}
	ddbKey, err := ref(estate.ServiceDynamoDB)
	if err != nil {
		return resources.Spec{}, err
	}
	rdsKey, err := ref(estate.ServiceRDS)
	if err != nil {
		return resources.Spec{}, err
	}
	spec := resources.Spec{
		Buckets:   []resources.Bucket{{Name: "byok-demo-" + env + "-app-data", Algorithm: "aws:kms", KeyRef: s3Key, BucketKey: true}},
		Tables:    []resources.Table{{Name: env + "-orders", KMS: true, KeyRef: ddbKey}},
		Instances: []resources.Instance{{ID: env + "-orders-db", Encrypted: true, KeyRef: rdsKey}},
		Clusters: []resources.Cluster{{ID: env + "-analytics", Encrypted: true, KeyRef: rdsKey,
			Members: []string{env + "-analytics-1", env + "-analytics-2"}}},
	}
	if env == legacyBucketEnv {
		spec.Buckets = append(spec.Buckets, resources.Bucket{Name: "byok-demo-" + env + "-legacy-exports", Algorithm: "aws:kms"})
	}
	return spec, nil
}
