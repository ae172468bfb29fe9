package rotation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/migrate/s3batch"
	"github.com/byok-dev/byok/internal/migrate/s3objects"
	"github.com/byok-dev/byok/internal/store"
)

// s3RollbackBatch copies a bucket above the batch threshold back with an
// S3 Batch Operations job, as the migration does, but its manifest holds
// only the objects on the migration's key that are not locked: each
// listed page is read with HeadObject (InFlight at a time) before its
// rows are written, because a job copies every row whatever its key.
// Failed tasks are swept in-process (OnlyFromKeyARN).
func (j *keyJob) s3RollbackBatch(ctx context.Context, c S3Bucket, cp *s3Checkpoint, from, to string) (s3objects.Result, error) {
	r, _ := j.e.resources()
	sr, ok := r.(S3Resources)
	if !ok {
		return s3objects.Result{}, ErrNoS3Resources
	}
	s := j.sub()
	ctl, err := sr.S3Control(ctx, s.Account, s.Region)
	if err != nil {
		return s3objects.Result{}, err
	}
	f := &rollbackFilter{c: c, bucket: s.Name, from: from, to: to, inFlight: max(j.e.S3.InFlight, 1)}
	if cp.Counts != nil {
		f.counts = *cp.Counts
	}
	opts := j.s3BatchOptions(*cp)
	opts.Spec.TargetKeyARN, opts.Filter = to, f.keep
	opts.Spec.Description = "byok " + j.run.ID.String() + ": copy " + s.Name + " back onto its old key"
	opts.Checkpoint = &batchCheckpoint{j: j, st: cp.Batch, step: store.StepRollback, counts: &f.counts}
	res, err := s3batch.Run(ctx, c, ctl, opts)
	if err != nil {
		return s3objects.Result{}, fmt.Errorf("batch operations on %s: %w", s.Name, err)
	}
	cp.Batch = &s3batch.State{Manifest: &res.Manifest, JobID: res.JobID}
	out := s3objects.Result{Counts: f.counts}
	out.Copied, out.Bytes = res.Report.Succeeded, res.Manifest.Bytes
	in := j.s3Options(nil)
	in.TargetKeyARN, in.OnlyFromKeyARN = to, from
	if res.Report.Failed > 0 {
		sweep, err := s3objects.Run(ctx, c, in)
		sweep.Copied += out.Copied
		return sweep, err
	}
	out.NoncurrentByKey, out.Noncurrent, err = s3objects.Noncurrent(ctx, c, in)
	return out, err
}

// rollbackFilter keeps the objects on the migration's key that are not
// locked, counting the others.
type rollbackFilter struct {
	c        S3Bucket
	bucket   string
	from, to string
	inFlight int
	mu       sync.Mutex
	counts   s3objects.Counts
}

func (f *rollbackFilter) keep(ctx context.Context, page []s3types.Object) ([]s3types.Object, error) {
	keep := make([]bool, len(page))
	errs := make([]error, len(page))
	sem := make(chan struct{}, f.inFlight)
	var wg sync.WaitGroup
	for i := range page {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			keep[i], errs[i] = f.one(ctx, aws.ToString(page[i].Key))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []s3types.Object
	for i, o := range page {
		if keep[i] {
			out = append(out, o)
		}
	}
	return out, nil
}

// one reads one object's key: true when it goes into the manifest.
func (f *rollbackFilter) one(ctx context.Context, key string) (bool, error) {
	h, err := f.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(key)})
	var nf *s3types.NotFound
	if errors.As(err, &nf) {
		f.add(func(c *s3objects.Counts) { c.Vanished++ })
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("HeadObject %s/%s: %w", f.bucket, key, err)
	}
	k, locked := aws.ToString(h.SSEKMSKeyId), objectLocked(h, time.Now())
	switch {
	case k == f.to:
		f.add(func(c *s3objects.Counts) { c.AlreadyOnTarget++ })
	case k == f.from && locked:
		f.add(func(c *s3objects.Counts) {
			c.Locked++
			if len(c.LockedKeys) < s3objects.MaxListed {
				c.LockedKeys = append(c.LockedKeys, key)
			}
		})
	case k != f.from:
		f.add(func(c *s3objects.Counts) { c.OtherKey++ })
	}
	return k == f.from && !locked, nil
}

func (f *rollbackFilter) add(fn func(*s3objects.Counts)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.counts)
}
