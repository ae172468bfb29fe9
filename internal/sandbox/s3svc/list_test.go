package s3svc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The SDK's paginator walks every key once, in order, max-keys at a time;
// prefix, start-after and delimiter narrow and group as in S3.
func TestListObjectsV2(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := create(t, e.c, "list-bucket", region); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 25 {
		k := fmt.Sprintf("data/%02d.bin", i)
		put(t, e.c, "list-bucket", k, "x")
		want = append(want, k)
	}
	put(t, e.c, "list-bucket", "logs/a/1", "x")
	put(t, e.c, "list-bucket", "logs/b/1", "x")
	put(t, e.c, "list-bucket", "top", "x")
	var got []string
	pages := 0
	p := s3.NewListObjectsV2Paginator(e.c, &s3.ListObjectsV2Input{Bucket: aws.String("list-bucket"), Prefix: aws.String("data/"), MaxKeys: aws.Int32(10)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
			if aws.ToInt64(o.Size) != 1 || o.StorageClass != "STANDARD" {
				t.Fatalf("content %+v", o)
			}
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages: %v", pages, got)
	}
	out, err := e.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list-bucket"), Delimiter: aws.String("/")})
	if err != nil || len(out.CommonPrefixes) != 2 || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "top" || aws.ToBool(out.IsTruncated) {
		t.Fatalf("delimiter: %+v %v", out, err)
	}
	out, err = e.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list-bucket"), Prefix: aws.String("logs/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
	if err != nil || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "logs/a/" || !aws.ToBool(out.IsTruncated) {
		t.Fatalf("delimiter page 1: %+v %v", out, err)
	}
	out, err = e.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list-bucket"), Prefix: aws.String("logs/"), Delimiter: aws.String("/"),
		MaxKeys: aws.Int32(1), ContinuationToken: out.NextContinuationToken})
	if err != nil || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "logs/b/" || aws.ToBool(out.IsTruncated) {
		t.Fatalf("delimiter page 2: %+v %v", out, err)
	}
	out, err = e.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list-bucket"), StartAfter: aws.String("data/23.bin"), Prefix: aws.String("data/")})
	if err != nil || aws.ToInt32(out.KeyCount) != 1 || aws.ToString(out.Contents[0].Key) != "data/24.bin" {
		t.Fatalf("start-after: %+v %v", out, err)
	}
	errs := map[string]error{}
	_, errs["NoSuchBucket"] = e.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")})
	_, errs["InvalidArgument"] = e.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list-bucket"), ContinuationToken: aws.String("!!")})
	_, errs["AccessDenied"] = e.alt.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list-bucket")})
	for want, err := range errs {
		if code(err) != want {
			t.Errorf("want %s, got %v", want, err)
		}
	}
}
