package configrule

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/byok-dev/byok/internal/estate"
)

// S3API is what the estate loader calls on S3 (in the Security account).
type S3API interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// SSMAPI is what the estate loader calls on SSM (in the Security account).
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// maxEstateBytes bounds the estate file read from S3 or SSM.
const maxEstateBytes = 1 << 20

// EstateLoader reads the estate from S3 or SSM and keeps it for the life of
// the Lambda container, reparsing only when the object's ETag or the
// parameter's version changes, and checking at most every Recheck.
type EstateLoader struct {
	S3      S3API
	SSM     SSMAPI
	Default Params // location used when the rule parameters name none
	Recheck time.Duration
	Now     func() time.Time

	mu      sync.Mutex
	loc     string
	version string
	checked time.Time
	est     *estate.Estate
}

// Estate implements EstateSource.
func (l *EstateLoader) Estate(ctx context.Context, p Params) (*estate.Estate, error) {
	if p.EstateS3URI == "" && p.EstateSSMParam == "" {
		p.EstateS3URI, p.EstateSSMParam = l.Default.EstateS3URI, l.Default.EstateSSMParam
	}
	loc := "s3:" + p.EstateS3URI
	if p.EstateSSMParam != "" {
		loc = "ssm:" + p.EstateSSMParam
	}
	if p.EstateS3URI == "" && p.EstateSSMParam == "" {
		return nil, fmt.Errorf("%w: no location (hint: set the rule parameter estateS3Uri or estateSsmParameter)", ErrEstate)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.est != nil && l.loc == loc && now.Sub(l.checked) < l.Recheck {
		return l.est, nil
	}
	var err error
	if p.EstateSSMParam != "" {
		err = l.fromSSM(ctx, loc, p.EstateSSMParam)
	} else {
		err = l.fromS3(ctx, loc, p.EstateS3URI)
	}
	if err != nil {
		return nil, err
	}
	l.checked = now
	return l.est, nil
}

func (l *EstateLoader) fromS3(ctx context.Context, loc, uri string) error {
	bucket, key, err := splitS3URI(uri)
	if err != nil {
		return err
	}
	head, err := l.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("%w: head %s: %w", ErrEstate, uri, err)
	}
	if l.est != nil && l.loc == loc && aws.ToString(head.ETag) == l.version {
		return nil
	}
	obj, err := l.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), IfMatch: head.ETag})
	if err != nil {
		return fmt.Errorf("%w: get %s: %w", ErrEstate, uri, err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(io.LimitReader(obj.Body, maxEstateBytes+1))
	if err != nil {
		return fmt.Errorf("%w: read %s: %w", ErrEstate, uri, err)
	}
	return l.parse(data, uri, loc, aws.ToString(obj.ETag))
}

func (l *EstateLoader) fromSSM(ctx context.Context, loc, name string) error {
	out, err := l.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("%w: get parameter %s: %w", ErrEstate, name, err)
	}
	if out.Parameter == nil {
		return fmt.Errorf("%w: get parameter %s: empty answer", ErrEstate, name)
	}
	version := strconv.FormatInt(out.Parameter.Version, 10)
	if l.est != nil && l.loc == loc && version == l.version {
		return nil
	}
	return l.parse([]byte(aws.ToString(out.Parameter.Value)), "ssm:"+name, loc, version)
}

func (l *EstateLoader) parse(data []byte, source, loc, version string) error {
	if len(data) > maxEstateBytes {
		return fmt.Errorf("%w: %s is larger than %d bytes", ErrEstate, source, maxEstateBytes)
	}
	est, err := estate.Parse(source, data)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEstate, err)
	}
	l.est, l.loc, l.version = est, loc, version
	return nil
}

func (l *EstateLoader) now() time.Time {
	if l.Now == nil {
		return time.Now()
	}
	return l.Now()
}
