package sandboxrun

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox/resources"
	s3svc "github.com/byok-dev/byok/internal/sandbox/s3svc"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// ErrNotSandbox is returned when DemoResources is given another target.
var ErrNotSandbox = errors.New("demo resources need a *sandboxrun.Sandbox target")

// DemoResources is a seed.Options.Resources hook: the seed scenario's
// resources in every consumer account, through the real SDK. Per
// environment E (bucket names are global, so they carry a byok-demo
// prefix):
//   - S3 byok-demo-E-app-data: aws:kms with the estate alias ARN
//   - S3 byok-demo-E-logs: aws:kms with the bare estate alias (S3 resolves
//     it in the bucket owner's account: a finding)
//   - S3 byok-demo-E-legacy-exports: no default encryption (legacy bucket)
//   - S3 byok-demo-E-uploads (prod only): aws:kms with the AWS managed key
//   - DynamoDB E-orders: the estate key; E-sessions: the AWS owned key
//   - RDS E-db: instance on the estate key; E-aurora: cluster with two
//     members on the estate key
//   - dev only: DynamoDB dev-scratch on a customer key of the dev account
//     (a key outside the estate)
func DemoResources(ctx context.Context, t seed.Target, est *estate.Estate) error {
	sb, ok := t.(*Sandbox)
	if !ok {
		return ErrNotSandbox
	}
	for _, env := range est.Environments {
		if err := demoEnvResources(ctx, sb, est, env); err != nil {
			return fmt.Errorf("demo resources in %s: %w", env.Name, err)
		}
	}
	return nil
}

func demoEnvResources(ctx context.Context, sb *Sandbox, est *estate.Estate, env estate.Environment) error {
	region := est.PrimaryRegion()
	aliasARN := func(svc estate.Service) string {
		return "arn:aws:kms:" + region + ":" + est.SecurityAccount + ":" + est.Alias(env.Name, svc)
	}
	n := func(s string) string { return env.Name + "-" + s }
	spec := resources.Spec{
		Buckets: []resources.Bucket{
			{Name: "byok-demo-" + n("app-data"), Algorithm: "aws:kms", KeyRef: aliasARN(estate.ServiceS3), BucketKey: true},
			{Name: "byok-demo-" + n("logs"), Algorithm: "aws:kms", KeyRef: est.Alias(env.Name, estate.ServiceS3)},
		},
		Tables:    []resources.Table{{Name: n("orders"), KMS: true, KeyRef: aliasARN(estate.ServiceDynamoDB)}, {Name: n("sessions")}},
		Instances: []resources.Instance{{ID: n("db"), Encrypted: true, KeyRef: aliasARN(estate.ServiceRDS)}},
		Clusters:  []resources.Cluster{{ID: n("aurora"), Encrypted: true, KeyRef: aliasARN(estate.ServiceRDS), Members: []string{n("aurora-1"), n("aurora-2")}}},
	}
	if env.Name == "prod" {
		spec.Buckets = append(spec.Buckets, resources.Bucket{Name: "byok-demo-prod-uploads", Algorithm: "aws:kms"})
	}
	cfg := sb.Config(ctx, env.Account)
	if env.Name == "dev" {
		ref, err := outsideKey(ctx, cfg)
		if err != nil {
			return err
		}
		spec.Tables = append(spec.Tables, resources.Table{Name: "dev-scratch", KMS: true, KeyRef: ref})
	}
	if err := resources.Create(ctx, cfg, spec); err != nil {
		return err
	}
	return sb.S3.Seed(s3svc.BucketSeed{Account: env.Account, Region: region, Name: "byok-demo-" + n("legacy-exports")})
}

// outsideKey creates a customer managed key in the consumer account itself:
// a key the estate does not know.
func outsideKey(ctx context.Context, cfg aws.Config) (string, error) {
	out, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("team key created outside the estate")})
	if err != nil {
		return "", fmt.Errorf("create outside key: %w", err)
	}
	return aws.ToString(out.KeyMetadata.Arn), nil
}
