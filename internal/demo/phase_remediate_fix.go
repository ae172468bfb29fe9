package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
)

// fixBucket sets the bucket's default encryption to the estate S3 key of
// its account's environment (by alias ARN, which resolves in the Security
// account), as the bucket account's own administrator.
func (s *story) fixBucket(ctx context.Context, f Finding, k estate.Key) (string, error) {
	cfg := s.w.sb.Config(ctx, f.Account)
	cfg.Region = f.Region
	_, err := awsx.S3(cfg).PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(f.Name),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String(k.AliasARN())},
			BucketKeyEnabled: aws.Bool(true)}}}})
	if err != nil {
		return "", fmt.Errorf("put bucket encryption on %s as %s: %w", f.Name, s.accountName(f.Account), err)
	}
	s.out.ok("%s: default encryption now %s (new objects); existing objects keep their key until re-written", f.Name, k.AliasARN())
	return "PutBucketEncryption: SSE-KMS with " + k.AliasARN() + ", bucket key enabled", nil
}

// fixTable switches the table's server-side encryption to the estate
// DynamoDB key (an online change: DynamoDB re-encrypts the table's keys),
// as the table account's own administrator.
func (s *story) fixTable(ctx context.Context, f Finding, k estate.Key) (string, error) {
	cfg := s.w.sb.Config(ctx, f.Account)
	cfg.Region = f.Region
	_, err := dynamodb.NewFromConfig(cfg).UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(f.Name),
		SSESpecification: &ddbtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: ddbtypes.SSETypeKms, KMSMasterKeyId: aws.String(k.AliasARN())}})
	if err != nil {
		return "", fmt.Errorf("update table %s encryption as %s: %w", f.Name, s.accountName(f.Account), err)
	}
	s.out.ok("%s: server-side encryption now %s", f.Name, k.AliasARN())
	return "UpdateTable: SSE KMS with " + k.AliasARN(), nil
}
