package sharedstate

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// HeadBucketAPI is the call that finds a bucket's Region.
type HeadBucketAPI interface {
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, opts ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// Errors of BucketRegion.
var (
	// ErrNoBucket: S3 says the state bucket does not exist.
	ErrNoBucket = errors.New("state bucket does not exist")
	// ErrBucketRegion: S3 named no Region for the bucket.
	ErrBucketRegion = errors.New("cannot find the state bucket's Region")
)

// bucketRegionHeader is the header HeadBucket names the bucket's Region in.
const bucketRegionHeader = "x-amz-bucket-region"

// BucketRegion asks S3 which Region holds bucket. HeadBucket answers
// with x-amz-bucket-region from any Region of the partition whatever the
// caller's permissions: on 200, on 301 (the bucket is in another Region)
// and on 403 alike. AWS recommends it for Region discovery over
// GetBucketLocation, whose cross-account use fails outside the bucket's
// home Region.
func BucketRegion(ctx context.Context, c HeadBucketAPI, bucket string) (string, error) {
	out, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		if r := aws.ToString(out.BucketRegion); r != "" {
			return r, nil
		}
		return "", fmt.Errorf("%w %s: HeadBucket answered without %s", ErrBucketRegion, bucket, bucketRegionHeader)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		if r := re.Response.Header.Get(bucketRegionHeader); r != "" {
			return r, nil
		}
		if re.HTTPStatusCode() == http.StatusNotFound {
			return "", fmt.Errorf("s3://%s: %w (create it in the Security account, or fix --state-location)", bucket, ErrNoBucket)
		}
	}
	return "", fmt.Errorf("%w %s: %w", ErrBucketRegion, bucket, err)
}
