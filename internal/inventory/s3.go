package inventory

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/compliance"
)

// listBuckets lists the account's buckets in the target region and reads
// each bucket's default encryption. S3 stores the default KMS key exactly
// as it was given (ID, ARN, alias or alias ARN); it is passed on verbatim.
func listBuckets(ctx context.Context, c S3, t Target, per int) ([]compliance.Resource, error) {
	var names []string
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{BucketRegion: aws.String(t.Region), MaxBuckets: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list buckets: %w", err)
		}
		for _, b := range page.Buckets {
			if b.BucketRegion == nil || aws.ToString(b.BucketRegion) == t.Region {
				names = append(names, aws.ToString(b.Name))
			}
		}
	}
	out := make([]compliance.Resource, len(names))
	errs := make([]error, len(names))
	forEach(len(names), per, func(i int) {
		out[i], errs[i] = bucketResource(ctx, c, t, names[i])
	})
	return compact(out, errs)
}

func bucketResource(ctx context.Context, c S3, t Target, name string) (compliance.Resource, error) {
	r := compliance.Resource{Type: compliance.S3Bucket, ID: name, Name: name, ARN: "arn:" + compliance.PartitionOf(t.Region) + ":s3:::" + name,
		Account: t.Account, Region: t.Region}
	out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(name)})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ServerSideEncryptionConfigurationNotFoundError" {
		r.Encryption = compliance.EncryptionNone
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("get bucket encryption %s: %w", name, err)
	}
	r.Encryption = compliance.EncryptionSSES3
	for _, rule := range out.ServerSideEncryptionConfiguration.Rules {
		d := rule.ApplyServerSideEncryptionByDefault
		if d == nil {
			continue
		}
		switch d.SSEAlgorithm {
		case types.ServerSideEncryptionAwsKms, types.ServerSideEncryptionAwsKmsDsse:
			r.Encryption, r.KeyRef = compliance.EncryptionKMS, aws.ToString(d.KMSMasterKeyID)
			if r.KeyRef == "" {
				r.KeyRef = "alias/aws/s3" // aws:kms without a key ID uses the AWS managed key
			}
		}
	}
	return r, nil
}
