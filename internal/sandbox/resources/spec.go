package resources

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Spec lists the resources to create in the account and Region of the
// aws.Config passed to Create.
type Spec struct {
	Buckets   []Bucket
	Tables    []Table
	Instances []Instance
	Clusters  []Cluster
}

// Bucket is an S3 bucket. Algorithm "" keeps S3's default (AES256);
// "aws:kms" / "aws:kms:dsse" use KeyRef verbatim (a key ID, key ARN, alias
// name or alias ARN: S3 stores what it is given; "" means aws/s3).
type Bucket struct {
	Name      string
	Algorithm string
	KeyRef    string
	BucketKey bool
}

// Table is a DynamoDB table (hash key "pk", on demand). KMS false keeps
// the AWS owned key; KMS with KeyRef "" uses the AWS managed aws/dynamodb.
type Table struct {
	Name   string
	KMS    bool
	KeyRef string
}

// Instance is a standalone RDS DB instance (Engine default "postgres").
// Encrypted with KeyRef "" uses aws/rds.
type Instance struct {
	ID        string
	Engine    string
	Encrypted bool
	KeyRef    string
}

// Cluster is an Aurora cluster (Engine default "aurora-postgresql") and
// the member instances that inherit its key.
type Cluster struct {
	ID        string
	Engine    string
	Encrypted bool
	KeyRef    string
	Members   []string
}

// ErrSpec is wrapped by errors about the Spec itself.
var ErrSpec = errors.New("invalid resource spec")

// Create creates every resource of spec through the SDK with cfg. It stops
// at the first failure, naming the resource.
func Create(ctx context.Context, cfg aws.Config, spec Spec) error {
	if cfg.Region == "" {
		return fmt.Errorf("%w: the aws.Config has no Region", ErrSpec)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range spec.Buckets {
		if err := createBucket(ctx, s3c, cfg.Region, b); err != nil {
			return fmt.Errorf("create bucket %s: %w", b.Name, err)
		}
	}
	ddb := dynamodb.NewFromConfig(cfg)
	for _, t := range spec.Tables {
		if err := createTable(ctx, ddb, t); err != nil {
			return fmt.Errorf("create table %s: %w", t.Name, err)
		}
	}
	rc := rds.NewFromConfig(cfg)
	for _, c := range spec.Clusters {
		if err := createCluster(ctx, rc, c); err != nil {
			return fmt.Errorf("create cluster %s: %w", c.ID, err)
		}
	}
	for _, i := range spec.Instances {
		if err := createInstance(ctx, rc, i); err != nil {
			return fmt.Errorf("create instance %s: %w", i.ID, err)
		}
	}
	return nil
}
