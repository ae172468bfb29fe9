// Package inventory lists the RDS instances and clusters, DynamoDB tables
// and S3 buckets of accounts × regions, concurrently and paginated, and
// says how each is encrypted at rest. Throttling is absorbed by the SDK's
// adaptive retry; a target that still fails is reported, not dropped. It
// reads only; it judges nothing (package compliance does). Each hands the
// targets over one at a time, in order, listing at most a window of
// targets ahead, so a scan of hundreds of accounts holds a few of them in
// memory; Collect returns everything at once.
package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/compliance"
)

// RDS is the part of the RDS API inventory calls.
type RDS interface {
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBClusters(ctx context.Context, in *rds.DescribeDBClustersInput, opts ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
}

// DynamoDB is the part of the DynamoDB API inventory calls.
type DynamoDB interface {
	ListTables(ctx context.Context, in *dynamodb.ListTablesInput, opts ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// S3 is the part of the S3 API inventory calls.
type S3 interface {
	ListBuckets(ctx context.Context, in *s3.ListBucketsInput, opts ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	GetBucketEncryption(ctx context.Context, in *s3.GetBucketEncryptionInput, opts ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
}

// Clients hands out clients acting in an account and region.
type Clients interface {
	RDS(account, region string) RDS
	DynamoDB(account, region string) DynamoDB
	S3(account, region string) S3
}

// Target is one account and region to list.
type Target struct {
	Account string `json:"account"`
	Region  string `json:"region"`
}

// TargetError is a listing that failed for one target and service.
type TargetError struct {
	Target
	Service string `json:"service"`
	Err     error  `json:"-"`
	Message string `json:"error"`
}

// Result is everything listed.
type Result struct {
	Resources []compliance.Resource
	Errors    []TargetError
}

// Defaults of Options. At most DefaultConcurrency × DefaultPerTarget
// describe calls are in flight.
const (
	DefaultConcurrency = 16
	DefaultPerTarget   = 8
)

// Options tune Collect.
type Options struct {
	// Concurrency bounds (target, service) listings run at once
	// (DefaultConcurrency when zero).
	Concurrency int
	// PerTarget bounds describe calls in flight per listing
	// (DefaultPerTarget when zero).
	PerTarget int
	// Progress, when set, is called after each target and service.
	Progress func(t Target, service string, n int)
	// Window bounds the targets Each lists ahead of the one it hands out
	// (DefaultWindow when zero; Collect lists every target at once).
	Window int
}

// Collect lists every target and returns everything at once, targets in
// the order given (services rds, dynamodb, s3 within each). A scan of a
// large estate uses Each instead, which holds only a window of targets.
func Collect(ctx context.Context, c Clients, targets []Target, o Options) Result {
	o.Window = max(1, len(targets))
	var res Result
	_ = Each(ctx, c, targets, o, func(b Batch) error {
		res.Resources = append(res.Resources, b.Resources...)
		res.Errors = append(res.Errors, b.Errors...)
		return nil
	})
	return res
}

func list(ctx context.Context, c Clients, t Target, svc string, per int) ([]compliance.Resource, error) {
	switch svc {
	case "rds":
		return listRDS(ctx, c.RDS(t.Account, t.Region), t)
	case "dynamodb":
		return listTables(ctx, c.DynamoDB(t.Account, t.Region), t, per)
	default:
		return listBuckets(ctx, c.S3(t.Account, t.Region), t, per)
	}
}
