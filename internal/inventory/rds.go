package inventory

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/compliance"
)

// listRDS lists instances and clusters (100 per page, RDS's maximum).
// Config's resourceId for RDS is the DbiResourceId / DbClusterResourceId.
func listRDS(ctx context.Context, c RDS, t Target) ([]compliance.Resource, error) {
	var out []compliance.Resource
	ip := rds.NewDescribeDBInstancesPaginator(c, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(100)})
	for ip.HasMorePages() {
		page, err := ip.NextPage(ctx)
		if err != nil {
			return out, fmt.Errorf("describe DB instances: %w", err)
		}
		for _, db := range page.DBInstances {
			out = append(out, rdsResource(t, compliance.RDSInstance, aws.ToString(db.DbiResourceId),
				aws.ToString(db.DBInstanceIdentifier), aws.ToString(db.DBInstanceArn), aws.ToBool(db.StorageEncrypted), aws.ToString(db.KmsKeyId)))
		}
	}
	cp := rds.NewDescribeDBClustersPaginator(c, &rds.DescribeDBClustersInput{MaxRecords: aws.Int32(100)})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return out, fmt.Errorf("describe DB clusters: %w", err)
		}
		for _, cl := range page.DBClusters {
			out = append(out, rdsResource(t, compliance.RDSCluster, aws.ToString(cl.DbClusterResourceId),
				aws.ToString(cl.DBClusterIdentifier), aws.ToString(cl.DBClusterArn), aws.ToBool(cl.StorageEncrypted), aws.ToString(cl.KmsKeyId)))
		}
	}
	return out, nil
}

func rdsResource(t Target, typ compliance.ResourceType, id, name, arn string, encrypted bool, key string) compliance.Resource {
	r := compliance.Resource{Type: typ, ID: id, Name: name, ARN: arn, Account: t.Account, Region: t.Region,
		Encryption: compliance.EncryptionNone}
	if encrypted {
		r.Encryption, r.KeyRef = compliance.EncryptionKMS, key
	}
	return r
}
