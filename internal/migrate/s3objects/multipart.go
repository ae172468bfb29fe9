package s3objects

import (
	"context"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// multipart copies an object above the threshold onto itself with
// UploadPartCopy. CreateMultipartUpload cannot copy metadata or tags, so
// they are read (HeadObject, GetObjectTagging) and named; every part
// names the ETag, and a failure aborts the upload.
func (e *engine) multipart(ctx context.Context, src obj) error {
	in, err := e.createInput(ctx, src)
	if err != nil {
		return err
	}
	var up *s3.CreateMultipartUploadOutput
	if err := e.retry(ctx, func() (err error) { up, err = e.api.CreateMultipartUpload(ctx, in); return err }); err != nil {
		return &ObjectError{Key: src.key, Op: "CreateMultipartUpload", Err: err}
	}
	parts, err := e.copyParts(ctx, src, aws.ToString(up.UploadId))
	if err == nil {
		err = e.retry(ctx, func() error {
			_, err := e.api.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: in.Bucket, Key: in.Key,
				UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
			return err
		})
		if err != nil {
			err = &ObjectError{Key: src.key, Op: "CompleteMultipartUpload", Err: err}
		}
	}
	if err != nil {
		_, aerr := e.api.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: in.Bucket, Key: in.Key, UploadId: up.UploadId})
		if aerr != nil {
			e.opts.Logger.Warn("abort multipart upload failed; a lifecycle rule or AbortMultipartUpload must remove it",
				"bucket", e.opts.Bucket, "object_key", src.key, "upload_id", aws.ToString(up.UploadId), "error", aerr)
		}
	}
	return err
}

func (e *engine) createInput(ctx context.Context, src obj) (*s3.CreateMultipartUploadInput, error) {
	h := src.head
	in := &s3.CreateMultipartUploadInput{Bucket: aws.String(e.opts.Bucket), Key: aws.String(src.key),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(e.opts.TargetKeyARN),
		BucketKeyEnabled: aws.Bool(true), StorageClass: storageClass(h.StorageClass), ChecksumAlgorithm: types.ChecksumAlgorithm(src.algo),
		Metadata: h.Metadata, ContentType: h.ContentType, CacheControl: h.CacheControl, ContentDisposition: h.ContentDisposition,
		ContentEncoding: h.ContentEncoding, ContentLanguage: h.ContentLanguage, WebsiteRedirectLocation: h.WebsiteRedirectLocation}
	if aws.ToInt32(h.TagCount) == 0 {
		return in, nil
	}
	var tags *s3.GetObjectTaggingOutput
	err := e.retry(ctx, func() (err error) {
		tags, err = e.api.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: in.Bucket, Key: in.Key})
		return err
	})
	if err != nil {
		return nil, &ObjectError{Key: src.key, Op: "GetObjectTagging", Err: err}
	}
	q := url.Values{}
	for _, t := range tags.TagSet {
		q.Set(aws.ToString(t.Key), aws.ToString(t.Value))
	}
	in.Tagging = aws.String(q.Encode())
	return in, nil
}

// copyParts copies the object in PartSize ranges (larger when it would
// need more than MaxParts).
func (e *engine) copyParts(ctx context.Context, src obj, uploadID string) ([]types.CompletedPart, error) {
	size := max(e.opts.PartSize, (src.size+MaxParts-1)/MaxParts)
	var parts []types.CompletedPart
	for n, first := int32(1), int64(0); first < src.size; n, first = n+1, first+size {
		last := min(first+size, src.size) - 1
		in := &s3.UploadPartCopyInput{Bucket: aws.String(e.opts.Bucket), Key: aws.String(src.key), UploadId: aws.String(uploadID),
			PartNumber: aws.Int32(n), CopySource: aws.String(copySource(e.opts.Bucket, src.key)),
			CopySourceIfMatch: aws.String(src.etag), CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", first, last))}
		var out *s3.UploadPartCopyOutput
		err := e.retry(ctx, func() (err error) { out, err = e.api.UploadPartCopy(ctx, in); return err })
		if err != nil {
			return nil, &ObjectError{Key: src.key, Op: "UploadPartCopy", Err: err}
		}
		p := types.CompletedPart{PartNumber: aws.Int32(n)}
		if r := out.CopyPartResult; r != nil {
			p.ETag, p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumSHA1, p.ChecksumSHA256 = r.ETag, r.ChecksumCRC32, r.ChecksumCRC32C, r.ChecksumSHA1, r.ChecksumSHA256
		}
		parts = append(parts, p)
	}
	return parts, nil
}
