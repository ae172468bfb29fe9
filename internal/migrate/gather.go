package migrate

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// RDS is what the pre-flight reads of RDS (through the scan's read role).
type RDS interface {
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBClusters(ctx context.Context, in *rds.DescribeDBClustersInput, opts ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
}

// DynamoDB is what the pre-flight reads of DynamoDB.
type DynamoDB interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// KMS is what the migration role calls to prove the target key is usable.
type KMS interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GenerateDataKeyWithoutPlaintext(ctx context.Context, in *kms.GenerateDataKeyWithoutPlaintextInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyWithoutPlaintextOutput, error)
}

// S3 is what the migration role lists for the estimate.
type S3 interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, opts ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
}

// Trail is what the migration role reads of CloudTrail (earlier DynamoDB
// key switches).
type Trail interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// Role is the migration role's clients in one account and Region.
type Role struct {
	KMS   KMS
	S3    S3
	Trail Trail
}

// Deps are the clients Gather uses.
type Deps struct {
	RDS      func(account, region string) RDS
	DynamoDB func(account, region string) DynamoDB
	// RoleARN names the migration role of account.
	RoleARN func(account string) string
	// Assume returns the migration role's clients, or why it cannot be
	// assumed.
	Assume func(ctx context.Context, account, region string) (Role, error)
}

// PreflightContext is the encryption context of the pre-flight's
// GenerateDataKeyWithoutPlaintext (no plaintext, nothing kept).
var PreflightContext = map[string]string{"byok:purpose": "migration-preflight"}

// Gather reads the pre-flight facts of every item, a few at a time, and
// returns the items evaluated at now. Items that cannot be migrated are
// not read.
func Gather(ctx context.Context, items []Item, d Deps, now time.Time, parallel int) []Item {
	if parallel < 1 {
		parallel = 4
	}
	out := make([]Item, len(items))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, it := range items {
		if it.Cannot != "" || it.Method == MethodNone {
			out[i] = it
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = Evaluate(it, facts(ctx, it, d, now), now)
		}()
	}
	wg.Wait()
	return out
}

// facts reads what Evaluate needs for it.
func facts(ctx context.Context, it Item, d Deps, now time.Time) Facts {
	f := Facts{Role: d.RoleARN(it.Account)}
	role, err := d.Assume(ctx, it.Account, it.Region)
	if err != nil {
		f.RoleErr = err
	} else {
		f.KeyErr = keyUsable(ctx, role.KMS, it.TargetKey)
	}
	switch it.Method {
	case MethodRDSInstance:
		instanceFacts(ctx, d.RDS(it.Account, it.Region), it.Name, &f)
	case MethodAuroraCluster:
		clusterFacts(ctx, d.RDS(it.Account, it.Region), it.Name, &f)
	case MethodDynamoDB:
		tableFacts(ctx, d.DynamoDB(it.Account, it.Region), it.Name, &f)
		if f.RoleErr == nil && f.DescribeErr == nil {
			f.Switches, f.SwitchesErr = Switches(ctx, role.Trail, it.ARN, f.TableCreated, now)
		}
	case MethodS3:
		if f.RoleErr == nil {
			bucketFacts(ctx, role.S3, it.Name, &f)
		}
	}
	return f
}

func keyUsable(ctx context.Context, c KMS, keyARN string) error {
	if _, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyARN)}); err != nil {
		return fmt.Errorf("DescribeKey: %w", err)
	}
	_, err := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: aws.String(keyARN),
		NumberOfBytes: aws.Int32(32), EncryptionContext: PreflightContext})
	if err != nil {
		return fmt.Errorf("GenerateDataKeyWithoutPlaintext: %w", err)
	}
	return nil
}

func instanceFacts(ctx context.Context, c RDS, id string, f *Facts) {
	out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err == nil && len(out.DBInstances) != 1 {
		err = fmt.Errorf("DescribeDBInstances %s returned %d instances", id, len(out.DBInstances))
	}
	if err != nil {
		f.DescribeErr = err
		return
	}
	db := out.DBInstances[0]
	f.Status, f.ClusterID, f.ReadReplicas = aws.ToString(db.DBInstanceStatus), aws.ToString(db.DBClusterIdentifier), db.ReadReplicaDBInstanceIdentifiers
}

func clusterFacts(ctx context.Context, c RDS, id string, f *Facts) {
	out, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	if err == nil && len(out.DBClusters) != 1 {
		err = fmt.Errorf("DescribeDBClusters %s returned %d clusters", id, len(out.DBClusters))
	}
	if err != nil {
		f.DescribeErr = err
		return
	}
	cl := out.DBClusters[0]
	f.Status, f.Members = aws.ToString(cl.Status), len(cl.DBClusterMembers)
}

func tableFacts(ctx context.Context, c DynamoDB, name string, f *Facts) {
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		f.DescribeErr = err
		return
	}
	t := out.Table
	f.Status, f.TableCreated = string(t.TableStatus), aws.ToTime(t.CreationDateTime)
	if t.SSEDescription != nil {
		f.SSEStatus = string(t.SSEDescription.Status)
	}
}

// CountObjects streams ListObjectsV2 over bucket and counts the current
// objects and their bytes, holding one page at a time.
func CountObjects(ctx context.Context, c S3, bucket string) (objects, bytes int64, err error) {
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return objects, bytes, fmt.Errorf("ListObjectsV2 %s: %w", bucket, err)
		}
		for _, o := range page.Contents {
			objects++
			bytes += aws.ToInt64(o.Size)
		}
	}
	return objects, bytes, nil
}
