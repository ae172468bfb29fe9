package resources

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	stypes "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func createBucket(ctx context.Context, c *s3.Client, region string, b Bucket) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(b.Name)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &stypes.CreateBucketConfiguration{LocationConstraint: stypes.BucketLocationConstraint(region)}
	}
	switch b.Algorithm {
	case "":
		if b.KeyRef != "" {
			return fmt.Errorf("%w: bucket %s has KeyRef but no Algorithm (use aws:kms)", ErrSpec, b.Name)
		}
	case "AES256", "aws:kms", "aws:kms:dsse":
	default:
		return fmt.Errorf("%w: bucket %s: Algorithm must be AES256, aws:kms or aws:kms:dsse, got %q", ErrSpec, b.Name, b.Algorithm)
	}
	if _, err := c.CreateBucket(ctx, in); err != nil || b.Algorithm == "" {
		return err
	}
	def := &stypes.ServerSideEncryptionByDefault{SSEAlgorithm: stypes.ServerSideEncryption(b.Algorithm)}
	if b.KeyRef != "" {
		def.KMSMasterKeyID = aws.String(b.KeyRef)
	}
	_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(b.Name),
		ServerSideEncryptionConfiguration: &stypes.ServerSideEncryptionConfiguration{Rules: []stypes.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: def, BucketKeyEnabled: aws.Bool(b.BucketKey)}}}})
	return err
}

func createTable(ctx context.Context, c *dynamodb.Client, t Table) error {
	in := &dynamodb.CreateTableInput{TableName: aws.String(t.Name), BillingMode: dtypes.BillingModePayPerRequest,
		KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: dtypes.KeyTypeHash}},
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: dtypes.ScalarAttributeTypeS}}}
	if !t.KMS && t.KeyRef != "" {
		return fmt.Errorf("%w: table %s has KeyRef but KMS is false", ErrSpec, t.Name)
	}
	if t.KMS {
		in.SSESpecification = &dtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: dtypes.SSETypeKms}
		if t.KeyRef != "" {
			in.SSESpecification.KMSMasterKeyId = aws.String(t.KeyRef)
		}
	}
	_, err := c.CreateTable(ctx, in)
	return err
}

func createCluster(ctx context.Context, c *rds.Client, cl Cluster) error {
	engine := cl.Engine
	if engine == "" {
		engine = "aurora-postgresql"
	}
	in := &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String(cl.ID), Engine: aws.String(engine),
		MasterUsername: aws.String("byokadmin")}
	if cl.Encrypted || cl.KeyRef != "" {
		in.StorageEncrypted = aws.Bool(true)
	}
	if cl.KeyRef != "" {
		in.KmsKeyId = aws.String(cl.KeyRef)
	}
	if _, err := c.CreateDBCluster(ctx, in); err != nil {
		return err
	}
	for _, m := range cl.Members {
		_, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(m),
			DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String(engine), DBClusterIdentifier: aws.String(cl.ID)})
		if err != nil {
			return fmt.Errorf("member %s: %w", m, err)
		}
	}
	return nil
}

func createInstance(ctx context.Context, c *rds.Client, i Instance) error {
	engine := i.Engine
	if engine == "" {
		engine = "postgres"
	}
	in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(i.ID), DBInstanceClass: aws.String("db.t4g.micro"),
		Engine: aws.String(engine), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("byokadmin")}
	if i.Encrypted || i.KeyRef != "" {
		in.StorageEncrypted = aws.Bool(true)
	}
	if i.KeyRef != "" {
		in.KmsKeyId = aws.String(i.KeyRef)
	}
	_, err := c.CreateDBInstance(ctx, in)
	return err
}
