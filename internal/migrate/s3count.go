package migrate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// bucketFacts counts what a bucket's migration copies: current objects
// and bytes, and, in a versioned bucket, the noncurrent versions that
// stay behind on their key.
func bucketFacts(ctx context.Context, c S3, bucket string, f *Facts) {
	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil {
		f.ListErr = fmt.Errorf("GetBucketVersioning %s: %w", bucket, err)
		return
	}
	f.Versioning = string(v.Status)
	if f.Versioning == "" {
		f.Objects, f.Bytes, f.ListErr = CountObjects(ctx, c, bucket)
		return
	}
	f.Objects, f.Bytes, f.Noncurrent, f.ListErr = CountVersions(ctx, c, bucket)
}

// CountVersions streams ListObjectVersions over a versioned bucket: the
// latest versions and their bytes, and the noncurrent versions, holding
// one page at a time.
func CountVersions(ctx context.Context, c S3, bucket string) (current, bytes, noncurrent int64, err error) {
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return current, bytes, noncurrent, fmt.Errorf("ListObjectVersions %s: %w", bucket, err)
		}
		for _, v := range page.Versions {
			if aws.ToBool(v.IsLatest) {
				current++
				bytes += aws.ToInt64(v.Size)
			} else {
				noncurrent++
			}
		}
	}
	return current, bytes, noncurrent, nil
}
