package s3objects_test

import (
	"context"
	"net/http/httptrace"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/migrate/s3objects"
)

// timedAPI notes the client-side duration of every call per operation,
// and of CopyObject's three parts (until the request is written, from
// then to the answer's first byte, from then to the call's return).
type timedAPI struct {
	s3objects.API
	t *durations
}

func newTimedAPI(api s3objects.API) *timedAPI { return &timedAPI{API: api, t: newDurations()} }

func (t *timedAPI) note(op string, start time.Time) { t.t.add("engine "+op, time.Since(start)) }

func (t *timedAPI) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, o ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	defer t.note("ListObjectsV2", time.Now())
	return t.API.ListObjectsV2(ctx, in, o...)
}

func (t *timedAPI) HeadObject(ctx context.Context, in *s3.HeadObjectInput, o ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	defer t.note("HeadObject", time.Now())
	return t.API.HeadObject(ctx, in, o...)
}

func (t *timedAPI) CopyObject(ctx context.Context, in *s3.CopyObjectInput, o ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	start := time.Now()
	var wrote, first time.Time
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest:         func(httptrace.WroteRequestInfo) { wrote = time.Now() },
		GotFirstResponseByte: func() { first = time.Now() },
	})
	out, err := t.API.CopyObject(ctx, in, o...)
	end := time.Now()
	t.note("CopyObject", start)
	if !wrote.IsZero() && !first.IsZero() {
		t.t.add("engine CopyObject 1 until written", wrote.Sub(start))
		t.t.add("engine CopyObject 2 until answer", first.Sub(wrote))
		t.t.add("engine CopyObject 3 until return", end.Sub(first))
	}
	return out, err
}
