package s3objects

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// noncurrent streams ListObjectVersions and asks HeadObject for the key
// of each noncurrent version: those not on the target keep their key in
// use (retirement waits for them), counted per key ARN. A bucket whose
// versioning was never enabled has none, and is not listed: one
// GetBucketVersioning instead of a page per 1,000 objects.
func (e *engine) noncurrent(ctx context.Context) (map[string]int64, int64, error) {
	if never, err := e.neverVersioned(ctx); err != nil || never {
		return nil, 0, err
	}
	byKey := map[string]int64{}
	var total int64
	p := s3.NewListObjectVersionsPaginator(e.api, &s3.ListObjectVersionsInput{Bucket: aws.String(e.opts.Bucket)})
	for p.HasMorePages() {
		var page *s3.ListObjectVersionsOutput
		err := e.retry(ctx, func() (err error) { page, err = p.NextPage(ctx); return err })
		if err != nil {
			return nil, 0, &ObjectError{Key: e.opts.Bucket, Op: "ListObjectVersions", Err: err}
		}
		for _, v := range page.Versions {
			if aws.ToBool(v.IsLatest) {
				continue
			}
			key, err := e.versionKey(ctx, aws.ToString(v.Key), aws.ToString(v.VersionId))
			if err != nil {
				return nil, 0, err
			}
			if key != e.opts.TargetKeyARN {
				byKey[key]++
				total++
			}
		}
	}
	if total == 0 {
		byKey = nil
	}
	return byKey, total, nil
}

// neverVersioned: GetBucketVersioning has no Status only for a bucket
// whose versioning was never enabled (once enabled it can only be
// suspended), and such a bucket holds only its current objects.
func (e *engine) neverVersioned(ctx context.Context) (bool, error) {
	var v *s3.GetBucketVersioningOutput
	err := e.retry(ctx, func() (err error) {
		v, err = e.api.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(e.opts.Bucket)})
		return err
	})
	if err != nil {
		return false, &ObjectError{Key: e.opts.Bucket, Op: "GetBucketVersioning", Err: err}
	}
	return v.Status == "", nil
}

func (e *engine) versionKey(ctx context.Context, key, version string) (string, error) {
	var h *s3.HeadObjectOutput
	err := e.retry(ctx, func() (err error) {
		h, err = e.api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(e.opts.Bucket), Key: aws.String(key), VersionId: aws.String(version)})
		return err
	})
	if err != nil {
		return "", &ObjectError{Key: key + "?versionId=" + version, Op: "HeadObject", Err: err}
	}
	if h.ServerSideEncryption != types.ServerSideEncryptionAwsKms && h.ServerSideEncryption != types.ServerSideEncryptionAwsKmsDsse {
		return "", nil
	}
	return aws.ToString(h.SSEKMSKeyId), nil
}

// Noncurrent counts the bucket's noncurrent versions that are not on the
// target key, per key ARN (what Run reports after its pass), for a bucket
// re-encrypted another way (Batch Operations).
func Noncurrent(ctx context.Context, api API, opts Options) (map[string]int64, int64, error) {
	if err := opts.defaults(); err != nil {
		return nil, 0, err
	}
	e := &engine{api: api, opts: opts, gate: &gate{}}
	return e.noncurrent(ctx)
}
