package sharedstate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// S3 is the part of the S3 API the shared state uses.
type S3 interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// Store is the shared state at one location.
type Store struct {
	S3       S3
	Location Location
	// Now is the clock for lock times (time.Now when nil).
	Now func() time.Time
}

// maxConflicts bounds the retries of a 409 ConditionalRequestConflict.
const maxConflicts = 5

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// S3 error codes the conditional protocol reacts to.
const (
	codePrecondition = "PreconditionFailed"
	codeConflict     = "ConditionalRequestConflict"
	codeNoSuchKey    = "NoSuchKey"
)

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// cond is a write's precondition: create only (ifNone) or replace the
// object with this ETag.
type cond struct {
	ifNone  bool
	ifMatch string
}

// putJSON writes v at key under c and returns the new ETag.
func (s *Store) putJSON(ctx context.Context, key string, v any, c cond) (string, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", key, err)
	}
	in := &s3.PutObjectInput{Bucket: aws.String(s.Location.Bucket), Key: aws.String(key),
		Body: bytes.NewReader(body), ContentType: aws.String("application/json")}
	if c.ifNone {
		in.IfNoneMatch = aws.String("*")
	}
	if c.ifMatch != "" {
		in.IfMatch = aws.String(c.ifMatch)
	}
	out, err := s.S3.PutObject(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ETag), nil
}

// getJSON reads key into v and returns its ETag; ErrNotFound when absent.
func (s *Store) getJSON(ctx context.Context, key string, v any) (string, error) {
	out, err := s.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Location.Bucket), Key: aws.String(key)})
	if errCode(err) == codeNoSuchKey {
		return "", fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", s.Location.Bucket+"/"+key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", key, err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return "", fmt.Errorf("decode %s: %w", s.Location.Bucket+"/"+key, err)
	}
	return aws.ToString(out.ETag), nil
}

// deleteIf deletes key if its ETag is etag.
func (s *Store) deleteIf(ctx context.Context, key, etag string) error {
	_, err := s.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.Location.Bucket), Key: aws.String(key),
		IfMatch: aws.String(etag)})
	return err
}

// list returns the keys under the prefix part.
func (s *Store) list(ctx context.Context, part string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.S3, &s3.ListObjectsV2Input{Bucket: aws.String(s.Location.Bucket),
		Prefix: aws.String(s.Location.key(part) + "/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", s.Location, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}
