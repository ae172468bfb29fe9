package retire

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Objects is the S3 reading CountVersions does (the scan's verify role).
type Objects interface {
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

// maxExamples is how many versions a blocker names.
const maxExamples = 3

// CountVersions counts the bucket's object versions encrypted under
// keyARN into bv: ListObjectVersions lists every version (noncurrent ones
// too; delete markers hold no data), HeadObject of each version says its
// key. A bucket's default encryption says nothing about objects written
// before it changed, so each version is asked.
func CountVersions(ctx context.Context, o Objects, keyARN string, bv *BucketVersions) error {
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bv.Bucket)}
	for {
		out, err := o.ListObjectVersions(ctx, in)
		if err != nil {
			return fmt.Errorf("list object versions of %s: %w", bv.Bucket, err)
		}
		for _, v := range out.Versions {
			h, err := o.HeadObject(ctx, &s3.HeadObjectInput{Bucket: in.Bucket, Key: v.Key, VersionId: v.VersionId})
			if err != nil {
				return fmt.Errorf("head %s@%s in %s: %w", aws.ToString(v.Key), aws.ToString(v.VersionId), bv.Bucket, err)
			}
			if !SameKey(aws.ToString(h.SSEKMSKeyId), keyARN) {
				continue
			}
			if aws.ToBool(v.IsLatest) {
				bv.Current++
			} else {
				bv.Noncurrent++
			}
			if len(bv.Examples) < maxExamples {
				bv.Examples = append(bv.Examples, aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId))
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}

// SameKey reports whether ref (a key ARN or key ID, as S3 reports
// x-amz-server-side-encryption-aws-kms-key-id) names keyARN.
func SameKey(ref, keyARN string) bool {
	if ref == "" {
		return false
	}
	if ref == keyARN {
		return true
	}
	return !strings.Contains(ref, ":") && strings.HasSuffix(keyARN, ":key/"+ref)
}

func isNotFound(err error) bool {
	var nf *types.NotFoundException
	return errors.As(err, &nf)
}
