package s3objects

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Options configure one pass over a bucket.
type Options struct {
	Bucket       string
	TargetKeyARN string
	// OnlyFromKeyARN, when set, limits the pass to objects whose current
	// SSE-KMS key is this key ARN (a migration rollback copies back only
	// what the migration moved); others are counted as OtherKey, untouched.
	OnlyFromKeyARN string
	// InFlight is how many objects are copied at once (default 32); as
	// many HeadObject calls decide the next objects meanwhile, so up to
	// 2×InFlight requests are open (size the HTTP client's idle pool so).
	InFlight int
	// MultipartThreshold: objects larger than this are copied with
	// UploadPartCopy (default and maximum MaxCopySize; at least
	// MinPartSize, lowered only to exercise the path on small objects).
	MultipartThreshold int64
	// PartSize of UploadPartCopy (default 512 MiB, at least MinPartSize;
	// raised when an object would need more than MaxParts parts).
	PartSize int64
	// Checkpoint, when set, is loaded before and saved during the pass.
	Checkpoint Checkpoint
	// CheckpointEvery objects the mark is saved (default 500), and at
	// the end of the pass.
	CheckpointEvery int
	// Progress, when set, is called at most every ProgressEvery (default
	// 250 ms) and once at the end.
	Progress      func(Progress)
	ProgressEvery time.Duration
	TotalObjects  int64 // for the ETA (the plan's count); 0 unknown
	// MaxThrottleRetries per object after the SDK's own retries (default 12).
	MaxThrottleRetries int
	Logger             *slog.Logger
}

func (o *Options) defaults() error {
	if o.Bucket == "" {
		return fmt.Errorf("%w: bucket is required", ErrBadOptions)
	}
	if err := checkTarget(o.TargetKeyARN); err != nil {
		return err
	}
	if o.OnlyFromKeyARN != "" {
		if err := checkTarget(o.OnlyFromKeyARN); err != nil {
			return fmt.Errorf("only-from key: %w", err)
		}
	}
	setDefault(&o.InFlight, 32)
	setDefault(&o.MultipartThreshold, MaxCopySize)
	setDefault(&o.PartSize, 512<<20)
	setDefault(&o.CheckpointEvery, 500)
	setDefault(&o.ProgressEvery, 250*time.Millisecond)
	setDefault(&o.MaxThrottleRetries, 12)
	switch {
	case o.InFlight < 1 || o.InFlight > 10000:
		return fmt.Errorf("%w: objects in flight must be 1–10000, got %d", ErrBadOptions, o.InFlight)
	case o.MultipartThreshold < MinPartSize || o.MultipartThreshold > MaxCopySize:
		return fmt.Errorf("%w: multipart threshold must be %d–%d bytes, got %d", ErrBadOptions, MinPartSize, MaxCopySize, o.MultipartThreshold)
	case o.PartSize < MinPartSize || o.PartSize > MaxCopySize:
		return fmt.Errorf("%w: part size must be %d–%d bytes, got %d", ErrBadOptions, MinPartSize, MaxCopySize, o.PartSize)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

func setDefault[T int | int64 | time.Duration](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}

// item is one listed object, numbered in listing order.
type item struct {
	seq  int64
	key  string
	etag string
	size int64
	algo string // checksum algorithm the listing reports
}

// Run re-encrypts the bucket's current objects onto the target key and
// then counts the noncurrent versions left on other keys. On error the
// checkpoint holds the mark reached; Run again resumes after it.
func Run(ctx context.Context, api API, opts Options) (Result, error) {
	if err := opts.defaults(); err != nil {
		return Result{}, err
	}
	var after string
	var start Counts
	if opts.Checkpoint != nil {
		var err error
		if after, start, err = opts.Checkpoint.Load(ctx); err != nil {
			return Result{}, fmt.Errorf("load checkpoint: %w", err)
		}
	}
	e := &engine{api: api, opts: opts, gate: &gate{}}
	counts, err := e.pass(ctx, after, start)
	res := Result{Counts: counts}
	if err != nil {
		return res, err
	}
	res.NoncurrentByKey, res.Noncurrent, err = e.noncurrent(ctx)
	return res, err
}

type engine struct {
	api  API
	opts Options
	gate *gate
}

// pass lists after the mark and works in two pools of InFlight workers:
// HeadObject decides (skip or copy) while the copies of earlier objects
// are in flight, so a copy never waits for its object's read. At most
// InFlight copies run at once.
func (e *engine) pass(ctx context.Context, after string, start Counts) (Counts, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	tr := newTracker(ctx, e.opts, after, start)
	heads, copies := make(chan item, e.opts.InFlight), make(chan copyJob, e.opts.InFlight)
	var hw, cw sync.WaitGroup
	for range e.opts.InFlight {
		hw.Add(1)
		go func() { defer hw.Done(); e.headWorker(ctx, cancel, tr, heads, copies) }()
		cw.Add(1)
		go func() { defer cw.Done(); e.copyWorker(ctx, cancel, tr, copies) }()
	}
	lerr := e.list(ctx, after, tr, heads)
	close(heads)
	hw.Wait()
	close(copies)
	cw.Wait()
	err := context.Cause(ctx)
	if err == nil && lerr != nil {
		err = lerr
	}
	counts, serr := tr.finish(err == nil)
	if err == nil {
		err = serr
	}
	return counts, err
}

// copyJob is a decided object waiting for its copy.
type copyJob struct {
	it  item
	src obj
}

func (e *engine) headWorker(ctx context.Context, cancel context.CancelCauseFunc, tr *tracker, in <-chan item, out chan<- copyJob) {
	for it := range in {
		o, src, err := e.decide(ctx, it)
		if err != nil {
			cancel(err)
			continue // drain: the lister stops on the cancelled context
		}
		if src == nil {
			tr.done(it.seq, o)
			continue
		}
		select {
		case out <- copyJob{it: it, src: *src}:
		case <-ctx.Done():
		}
	}
}

func (e *engine) copyWorker(ctx context.Context, cancel context.CancelCauseFunc, tr *tracker, in <-chan copyJob) {
	for j := range in {
		if ctx.Err() != nil {
			continue
		}
		o, err := e.apply(ctx, j.src)
		if isCode(err, "PreconditionFailed") {
			o, err = e.object(ctx, j.it) // rewritten since it was read
		}
		if err != nil {
			cancel(err)
			continue
		}
		tr.done(j.it.seq, o)
	}
}

// list streams ListObjectsV2 from after, registering each object with
// the tracker before handing it to a worker. The next page is fetched
// while this one is handed out (pages), so the workers do not wait a
// listing call every 1,000 objects; two pages at most are held.
func (e *engine) list(ctx context.Context, after string, tr *tracker, work chan<- item) error {
	for pg := range e.pages(ctx, after) {
		if pg.err != nil {
			return pg.err
		}
		for _, o := range pg.out.Contents {
			it := item{key: aws.ToString(o.Key), etag: aws.ToString(o.ETag), size: aws.ToInt64(o.Size)}
			if len(o.ChecksumAlgorithm) > 0 {
				it.algo = string(o.ChecksumAlgorithm[0])
			}
			it.seq = tr.add(it.key)
			select {
			case work <- it:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
	}
	return context.Cause(ctx)
}

type page struct {
	out *s3.ListObjectsV2Output
	err error
}

// pages lists in its own goroutine, one page ahead of the consumer; the
// channel closes after the last page, an error, or cancellation.
func (e *engine) pages(ctx context.Context, after string) <-chan page {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(e.opts.Bucket)}
	if after != "" {
		in.StartAfter = aws.String(after)
	}
	out := make(chan page, 1)
	go func() {
		defer close(out)
		p := s3.NewListObjectsV2Paginator(e.api, in)
		for p.HasMorePages() {
			pg, err := e.listPage(ctx, p)
			select {
			case out <- page{out: pg, err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out
}

func (e *engine) listPage(ctx context.Context, p *s3.ListObjectsV2Paginator) (*s3.ListObjectsV2Output, error) {
	var page *s3.ListObjectsV2Output
	err := e.retry(ctx, func() error {
		var err error
		page, err = p.NextPage(ctx)
		return err
	})
	if err != nil {
		return nil, &ObjectError{Key: e.opts.Bucket, Op: "ListObjectsV2", Err: err}
	}
	return page, nil
}
