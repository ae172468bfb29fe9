package rotation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/migrate/s3batch"
	"github.com/byok-dev/byok/internal/migrate/s3objects"
	"github.com/byok-dev/byok/internal/store"
)

// s3Checkpoint is the reencrypt step's journal detail: the path chosen,
// and how far it got (repeated begin events of the open step, each on
// disk before the next objects are counted as done).
type s3Checkpoint struct {
	Mode   string            `json:"s3_mode"`            // "copy" (in-process) or "batch"
	Total  int64             `json:"s3_total,omitempty"` // current objects when the step first began (copy mode)
	After  string            `json:"s3_after,omitempty"`
	Counts *s3objects.Counts `json:"s3_counts,omitempty"`
	Batch  *s3batch.State    `json:"s3_batch,omitempty"`
	Result *s3objects.Result `json:"s3_result,omitempty"` // the pass ended (verify reads it)
}

// s3Reencrypt re-encrypts the bucket's current objects onto the target
// key, in-process or by Batch Operations as decided the first time the
// step began (a resumed step keeps the decision and its checkpoint).
func (j *keyJob) s3Reencrypt(ctx context.Context) error {
	c, err := j.s3Client(ctx)
	if err != nil {
		return err
	}
	cp, err := j.s3Last(ctx)
	if err != nil {
		return err
	}
	if cp.Result != nil {
		return nil // the pass ended before the process did
	}
	if cp.Mode == "" {
		if cp.Mode, cp.Total, err = j.s3Mode(ctx, c); err != nil {
			return err
		}
		if err := j.s3Save(ctx, cp); err != nil {
			return err
		}
	}
	var res s3objects.Result
	if cp.Mode == "batch" {
		res, err = j.s3Batch(ctx, c, &cp)
	} else {
		opts := j.s3Options(&journalCheckpoint{j: j, step: store.StepReencrypt, mode: "copy", total: cp.Total})
		opts.TotalObjects = cp.Total
		res, err = s3objects.Run(ctx, c, opts)
	}
	if err != nil {
		return err
	}
	return j.s3Save(ctx, s3Checkpoint{Mode: cp.Mode, Total: cp.Total, Batch: cp.Batch, Result: &res})
}

// s3Mode counts current objects up to the threshold (streamed, stopping
// early): above it, Batch Operations; else in-process, with the count
// for the progress line's ETA.
func (j *keyJob) s3Mode(ctx context.Context, c S3Bucket) (string, int64, error) {
	limit := j.e.S3.batchThreshold()
	var n int64
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(j.sub().Name)})
	for p.HasMorePages() && n <= limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", 0, fmt.Errorf("ListObjectsV2 %s: %w", j.sub().Name, err)
		}
		n += int64(len(page.Contents))
	}
	if n > limit {
		return "batch", 0, nil
	}
	return "copy", n, nil
}

func (j *keyJob) s3Options(cp s3objects.Checkpoint) s3objects.Options {
	o := j.e.S3
	s := j.sub()
	opts := s3objects.Options{Bucket: s.Name, TargetKeyARN: s.TargetKey, InFlight: o.InFlight, MultipartThreshold: o.MultipartThreshold,
		PartSize: o.PartSize, Checkpoint: cp, CheckpointEvery: o.CheckpointEvery, Logger: j.e.logger()}
	if o.Progress != nil {
		opts.Progress = func(p s3objects.Progress) { o.Progress(S3Progress{Bucket: s.Name, Progress: p}) }
	}
	return opts
}

// s3Last is the latest checkpoint journaled for this resource's open
// reencrypt step (zero when none).
func (j *keyJob) s3Last(ctx context.Context) (s3Checkpoint, error) {
	return j.s3LastAt(ctx, store.StepReencrypt)
}

// s3LastAt is the latest checkpoint journaled for this resource's open
// step (reencrypt, or a rollback's rollback step).
func (j *keyJob) s3LastAt(ctx context.Context, step store.Step) (s3Checkpoint, error) {
	evs, err := j.e.Store.Journal(ctx, j.run.ID)
	if err != nil {
		return s3Checkpoint{}, err
	}
	var cp s3Checkpoint
	for _, ev := range evs {
		if ev.KeyARN != j.rk.KeyARN || ev.Step != step || ev.Phase != store.PhaseBegin || len(ev.Detail) == 0 {
			continue
		}
		var d s3Checkpoint
		if json.Unmarshal(ev.Detail, &d) == nil && d.Mode != "" {
			cp = d
		}
	}
	return cp, nil
}

// s3Save journals cp as a begin event of the open reencrypt step.
func (j *keyJob) s3Save(ctx context.Context, cp s3Checkpoint) error {
	return j.s3SaveAt(ctx, store.StepReencrypt, cp)
}

// s3SaveAt journals cp as a begin event of the open step.
func (j *keyJob) s3SaveAt(ctx context.Context, step store.Step, cp s3Checkpoint) error {
	if err := j.e.Store.BeginStep(ctx, j.run.ID, j.rk.KeyARN, step, cp); err != nil {
		return fmt.Errorf("journal the re-encryption checkpoint: %w", err)
	}
	return nil
}

// journalCheckpoint is s3objects.Checkpoint on the run's journal. The
// "reencrypt:checkpoint" failpoint kills the process right after a save,
// with copies in flight (the kill tests' mid-copy crash).
type journalCheckpoint struct {
	j     *keyJob
	step  store.Step
	mode  string
	total int64
}

func (c *journalCheckpoint) Load(ctx context.Context) (string, s3objects.Counts, error) {
	cp, err := c.j.s3LastAt(ctx, c.step)
	if err != nil || cp.Counts == nil {
		return cp.After, s3objects.Counts{}, err
	}
	return cp.After, *cp.Counts, nil
}

func (c *journalCheckpoint) Save(ctx context.Context, after string, counts s3objects.Counts) error {
	if err := c.j.s3SaveAt(ctx, c.step, s3Checkpoint{Mode: c.mode, Total: c.total, After: after, Counts: &counts}); err != nil {
		return err
	}
	c.j.e.failpointAt(c.step.String() + ":checkpoint")
	return nil
}

// s3Batch runs the Batch Operations job (manifest and job ID journaled),
// then sweeps in-process when tasks failed (the sweep skips what the job
// moved), and counts noncurrent versions.
func (j *keyJob) s3Batch(ctx context.Context, c S3Bucket, cp *s3Checkpoint) (s3objects.Result, error) {
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
	opts := j.s3BatchOptions(*cp)
	res, err := s3batch.Run(ctx, c, ctl, opts)
	if err != nil {
		return s3objects.Result{}, fmt.Errorf("batch operations on %s: %w", s.Name, err)
	}
	cp.Batch = &s3batch.State{Manifest: &res.Manifest, JobID: res.JobID}
	j.note("batch_job", res.JobID)
	out := s3objects.Result{Counts: s3objects.Counts{Copied: res.Report.Succeeded, Bytes: res.Manifest.Bytes}}
	if res.Report.Failed > 0 {
		j.e.logger().WarnContext(ctx, "batch tasks failed; sweeping in-process", logRun, j.run.ID.String(), logKey, s.ARN,
			"failed_tasks", res.Report.Failed)
		sweep, err := s3objects.Run(ctx, c, j.s3Options(nil))
		sweep.Copied += out.Copied
		return sweep, err
	}
	out.NoncurrentByKey, out.Noncurrent, err = s3objects.Noncurrent(ctx, c, j.s3Options(nil))
	return out, err
}

func (j *keyJob) s3BatchOptions(cp s3Checkpoint) s3batch.Options {
	s, o := j.sub(), j.e.S3
	sum := sha256.Sum256([]byte(j.run.ID.String() + "/" + s.ARN))
	token := "byok-" + hex.EncodeToString(sum[:16])
	fill := func(t, def string) string {
		if t == "" {
			t = def
		}
		return strings.NewReplacer("{account}", s.Account, "{region}", s.Region).Replace(t)
	}
	bucket := fill(o.BatchBucket, DefaultBatchBucket)
	prefix := "byok/" + j.run.ID.String() + "/" + s.Name
	opts := s3batch.Options{Spec: s3batch.JobSpec{Account: s.Account, Partition: s.Partition, Bucket: s.Name, TargetKeyARN: s.TargetKey,
		RoleARN: fill(o.BatchRole, DefaultBatchRole), ReportBucket: bucket, ReportPrefix: prefix + "/reports", Token: token,
		Description: "byok " + j.run.ID.String() + ": re-encrypt " + s.Name},
		ManifestBucket: bucket, ManifestKey: prefix + "/manifest.csv", Poll: o.poll(j.e),
		Checkpoint: &batchCheckpoint{j: j, st: cp.Batch, step: store.StepReencrypt}}
	if o.Progress != nil {
		opts.Progress = func(st s3batch.Status) {
			o.Progress(S3Progress{Bucket: s.Name, JobID: st.JobID,
				Progress: s3objects.Progress{Objects: st.Succeeded + st.Failed, Total: st.Total}})
		}
	}
	return opts
}

// batchCheckpoint is s3batch.Checkpoint on the run's journal.
type batchCheckpoint struct {
	j      *keyJob
	st     *s3batch.State
	step   store.Step
	counts *s3objects.Counts // journaled with the state (the rollback's filter counts)
}

func (c *batchCheckpoint) Load(context.Context) (s3batch.State, error) {
	if c.st == nil {
		return s3batch.State{}, nil
	}
	return *c.st, nil
}

func (c *batchCheckpoint) Save(ctx context.Context, st s3batch.State) error {
	c.st = &st
	if err := c.j.s3SaveAt(ctx, c.step, s3Checkpoint{Mode: "batch", Batch: &st, Counts: c.counts}); err != nil {
		return err
	}
	c.j.e.failpointAt(c.step.String() + ":batch-saved")
	return nil
}
