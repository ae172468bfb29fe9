package s3batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3 is the part of the S3 client the package calls.
type S3 interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3.UploadPartInput, opts ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

// Manifest is a written manifest object.
type Manifest struct {
	Bucket  string `json:"bucket"`
	Key     string `json:"key"`
	ETag    string `json:"etag"`
	Objects int64  `json:"objects"`
	Bytes   int64  `json:"bytes"` // of the objects listed
}

// ARN is the manifest's object ARN.
func (m Manifest) ARN(partition string) string {
	return "arn:" + partition + ":s3:::" + m.Bucket + "/" + m.Key
}

// partSize is the manifest upload's part size: S3's minimum, so at most
// one part is held in memory.
const partSize = 5 << 20

// WriteManifest lists bucket and writes one "bucket,url-encoded-key" row
// per current object to dstBucket/dstKey: one PutObject when it fits in a
// part, else a multipart upload of 5 MiB parts.
func WriteManifest(ctx context.Context, c S3, bucket, dstBucket, dstKey string) (Manifest, error) {
	return WriteFilteredManifest(ctx, c, bucket, dstBucket, dstKey, nil)
}

// Filter keeps the objects of one listed page that the job must copy
// (e.g. only those on one key, read with HeadObject); nil keeps all.
type Filter func(ctx context.Context, page []types.Object) ([]types.Object, error)

// WriteFilteredManifest is WriteManifest with one row per object keep
// returns, page by page.
func WriteFilteredManifest(ctx context.Context, c S3, bucket, dstBucket, dstKey string, keep Filter) (Manifest, error) {
	m := Manifest{Bucket: dstBucket, Key: dstKey}
	up := &uploader{c: c, bucket: dstBucket, key: dstKey}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			up.abort(ctx)
			return m, fmt.Errorf("ListObjectsV2 %s: %w", bucket, err)
		}
		rows := page.Contents
		if keep != nil {
			if rows, err = keep(ctx, rows); err != nil {
				up.abort(ctx)
				return m, fmt.Errorf("filter %s: %w", bucket, err)
			}
		}
		for _, o := range rows {
			_ = w.Write([]string{bucket, url.QueryEscape(aws.ToString(o.Key))})
			m.Objects++
			m.Bytes += aws.ToInt64(o.Size)
		}
		w.Flush()
		for buf.Len() >= partSize {
			if err := up.part(ctx, buf.Next(partSize)); err != nil {
				return m, err
			}
		}
	}
	etag, err := up.finish(ctx, buf.Bytes())
	m.ETag = etag
	return m, err
}

// uploader writes the manifest: parts as they fill, then the rest.
type uploader struct {
	c           S3
	bucket, key string
	id          string
	parts       []types.CompletedPart
}

func (u *uploader) part(ctx context.Context, data []byte) error {
	if u.id == "" {
		out, err := u.c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(u.bucket), Key: aws.String(u.key),
			ContentType: aws.String("text/csv")})
		if err != nil {
			return fmt.Errorf("CreateMultipartUpload %s/%s: %w", u.bucket, u.key, err)
		}
		u.id = aws.ToString(out.UploadId)
	}
	n := int32(len(u.parts) + 1)
	out, err := u.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: aws.String(u.id),
		PartNumber: aws.Int32(n), Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))})
	if err != nil {
		u.abort(ctx)
		return fmt.Errorf("UploadPart %d of %s/%s: %w", n, u.bucket, u.key, err)
	}
	u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag})
	return nil
}

func (u *uploader) finish(ctx context.Context, rest []byte) (string, error) {
	if u.id == "" {
		out, err := u.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(u.bucket), Key: aws.String(u.key),
			Body: bytes.NewReader(rest), ContentType: aws.String("text/csv")})
		if err != nil {
			return "", fmt.Errorf("PutObject %s/%s: %w", u.bucket, u.key, err)
		}
		return aws.ToString(out.ETag), nil
	}
	if len(rest) > 0 {
		if err := u.part(ctx, rest); err != nil {
			return "", err
		}
	}
	out, err := u.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(u.bucket), Key: aws.String(u.key),
		UploadId: aws.String(u.id), MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts}})
	if err != nil {
		u.abort(ctx)
		return "", fmt.Errorf("CompleteMultipartUpload %s/%s: %w", u.bucket, u.key, err)
	}
	return aws.ToString(out.ETag), nil
}

func (u *uploader) abort(ctx context.Context) {
	if u.id != "" {
		_, _ = u.c.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: aws.String(u.bucket),
			Key: aws.String(u.key), UploadId: aws.String(u.id)})
		u.id = ""
	}
}
