package s3batch

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// State is how far a batch re-encryption got (kept in the run's journal).
type State struct {
	Manifest *Manifest `json:"manifest,omitempty"`
	JobID    string    `json:"jobId,omitempty"`
}

// Checkpoint persists State. Load returns the zero State when nothing
// was saved.
type Checkpoint interface {
	Load(ctx context.Context) (State, error)
	Save(ctx context.Context, s State) error
}

// Options configure Run.
type Options struct {
	Spec JobSpec
	// ManifestBucket/ManifestKey: where the manifest is written, a bucket
	// in the resource's account (Batch Operations reads it as the role).
	ManifestBucket, ManifestKey string
	Poll                        time.Duration // DescribeJob interval (default 10 s)
	Progress                    func(Status)
	Checkpoint                  Checkpoint // nil: not resumable
	// Filter, when set, writes only the objects it keeps into the
	// manifest; a manifest left empty submits no job.
	Filter Filter
}

// Result is a finished job with its report.
type Result struct {
	JobID    string
	Manifest Manifest
	Status   Status
	Report   Report
}

// ErrBadOptions is a Run called without what it needs.
var ErrBadOptions = errors.New("invalid batch operations options")

func (o *Options) check() error {
	s := o.Spec
	switch {
	case len(s.Token) < 1 || len(s.Token) > 64:
		return fmt.Errorf("%w: the client request token must be 1–64 characters, got %d", ErrBadOptions, len(s.Token))
	case len(s.Account) != 12:
		return fmt.Errorf("%w: account must be a 12-digit account ID, got %q", ErrBadOptions, s.Account)
	case s.Bucket == "" || o.ManifestBucket == "" || o.ManifestKey == "" || s.ReportBucket == "":
		return fmt.Errorf("%w: bucket, manifest bucket and key, and report bucket are required", ErrBadOptions)
	case s.RoleARN == "" || s.TargetKeyARN == "":
		return fmt.Errorf("%w: the Batch Operations role ARN and the target key ARN are required", ErrBadOptions)
	}
	if o.Poll == 0 {
		o.Poll = 10 * time.Second
	}
	return nil
}

// Run writes the manifest (unless the checkpoint has one), submits the
// job (unless it has one), tracks it to its end and reads its report.
// Failed tasks are in Result.Report.Failures; a job that failed or was
// cancelled is a JobError.
func Run(ctx context.Context, s3c S3, ctl Control, opts Options) (Result, error) {
	if err := opts.check(); err != nil {
		return Result{}, err
	}
	st, err := load(ctx, opts.Checkpoint)
	if err != nil {
		return Result{}, err
	}
	if st.Manifest == nil {
		m, err := WriteFilteredManifest(ctx, s3c, opts.Spec.Bucket, opts.ManifestBucket, opts.ManifestKey, opts.Filter)
		if err != nil {
			return Result{}, fmt.Errorf("write manifest: %w", err)
		}
		st.Manifest = &m
		if err := save(ctx, opts.Checkpoint, st); err != nil {
			return Result{}, err
		}
	}
	res := Result{Manifest: *st.Manifest}
	if st.Manifest.Objects == 0 && opts.Filter != nil {
		return res, nil // nothing to copy: no job
	}
	if st.JobID == "" {
		if st.JobID, err = Submit(ctx, ctl, opts.Spec, *st.Manifest); err != nil {
			return res, err
		}
		if err := save(ctx, opts.Checkpoint, st); err != nil {
			return res, err
		}
	}
	res.JobID = st.JobID
	res.Status, err = Track(ctx, ctl, opts.Spec.Account, st.JobID, opts.Poll, opts.Progress)
	var je *JobError
	if err != nil && !errors.As(err, &je) {
		return res, err
	}
	rep, rerr := ReadReport(ctx, s3c, opts.Spec.ReportBucket, opts.Spec.ReportPrefix, st.JobID)
	res.Report = rep
	if err != nil {
		return res, err
	}
	return res, rerr
}

func load(ctx context.Context, c Checkpoint) (State, error) {
	if c == nil {
		return State{}, nil
	}
	s, err := c.Load(ctx)
	if err != nil {
		return s, fmt.Errorf("load batch checkpoint: %w", err)
	}
	return s, nil
}

func save(ctx context.Context, c Checkpoint, s State) error {
	if c == nil {
		return nil
	}
	if err := c.Save(ctx, s); err != nil {
		return fmt.Errorf("save batch checkpoint: %w", err)
	}
	return nil
}
