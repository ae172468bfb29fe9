package rotation

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/byok-dev/byok/internal/store"
)

// S3RollbackPlan is what the rollback of one bucket migration will do,
// read before the rollback run starts (byok migrate rollback prints it).
type S3RollbackPlan struct {
	Resource string       `json:"resource"`
	Bucket   string       `json:"bucket"`
	Restore  S3Encryption `json:"restore_default_encryption"`
	FromKey  string       `json:"from_key"` // the migration's target key: objects on it are copied back
	ToKey    string       `json:"to_key"`   // the key they go back onto (ARN)
	// Current objects and bytes listed now.
	Current      int64 `json:"current_objects"`
	CurrentBytes int64 `json:"current_bytes"`
	// Inspected: every current object's key was read (HeadObject), so the
	// counts below are exact; otherwise ToCopy is at most Current.
	Inspected   bool     `json:"inspected"`
	ToCopy      int64    `json:"to_copy_back"`
	ToCopyBytes int64    `json:"bytes_to_copy_back"`
	Locked      []string `json:"locked_on_from_key,omitempty"` // skipped: retention or legal hold
	AlreadyOld  int64    `json:"already_on_to_key"`
	OtherKeys   int64    `json:"on_other_keys"`        // left alone
	Noncurrent  int64    `json:"noncurrent_untouched"` // noncurrent versions, never touched
	// Batch: above the batch threshold, an S3 Batch Operations job copies.
	Batch bool `json:"batch_operations"`
}

// PlanInspectLimit: buckets with at most this many current objects have
// every object's key read by the plan; larger ones are estimated from
// the listing.
const PlanInspectLimit = 10_000

// objFact is one current object as the plan read it.
type objFact struct {
	key, kmsKey string
	size        int64
	locked      bool
}

// tally counts one inspected object into the plan (pure).
func (p *S3RollbackPlan) tally(o objFact) {
	switch {
	case o.kmsKey == p.FromKey && o.locked:
		if len(p.Locked) < 1000 {
			p.Locked = append(p.Locked, o.key)
		}
	case o.kmsKey == p.FromKey:
		p.ToCopy++
		p.ToCopyBytes += o.size
	case o.kmsKey == p.ToKey:
		p.AlreadyOld++
	default:
		p.OtherKeys++
	}
}

// PlanS3Rollback reads, for every bucket item of rollback p, the recorded
// previous default encryption, checks the old key (a retired or unusable
// key refuses the rollback: the error says why and what to do) and
// counts what the copy back will do. Items of other methods are skipped.
func (e *Engine) PlanS3Rollback(ctx context.Context, p Prepared) ([]S3RollbackPlan, error) {
	var out []S3RollbackPlan
	for _, it := range p.Items {
		rk, err := e.Store.GetRunKey(ctx, p.Target, it.KeyARN)
		if err != nil {
			return nil, err
		}
		if s, _ := ParseStrategy(rk.Strategy); s != MigrateS3Bucket {
			continue
		}
		sub := *it.Subject
		m := &keyJob{e: e, run: store.Run{ID: p.Target}, rk: rk, subject: &sub}
		pl, err := m.s3RollbackPlan(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: rollback of %s: %w", it.KeyARN, p.Target, err)
		}
		out = append(out, pl)
	}
	return out, nil
}

// s3RollbackPlan is PlanS3Rollback for one bucket; m is the migration's job.
func (m *keyJob) s3RollbackPlan(ctx context.Context) (S3RollbackPlan, error) {
	prev, arn, err := m.s3RollbackCheck(ctx)
	if err != nil {
		return S3RollbackPlan{}, err
	}
	c, err := m.s3Client(ctx)
	if err != nil {
		return S3RollbackPlan{}, err
	}
	pl := S3RollbackPlan{Resource: m.rk.KeyARN, Bucket: m.sub().Name, Restore: prev, FromKey: m.rk.NewKeyID, ToKey: arn}
	if err := pl.read(ctx, c); err != nil {
		return pl, err
	}
	pl.Batch = pl.Current > m.e.S3.batchThreshold()
	return pl, nil
}

// read lists the bucket (current objects and bytes), inspects each
// object's key when there are at most PlanInspectLimit, and counts the
// noncurrent versions.
func (p *S3RollbackPlan) read(ctx context.Context, c S3Bucket) error {
	var facts []objFact
	pg := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(p.Bucket)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ListObjectsV2 %s: %w", p.Bucket, err)
		}
		for _, o := range page.Contents {
			p.Current++
			p.CurrentBytes += aws.ToInt64(o.Size)
			if p.Current <= PlanInspectLimit {
				facts = append(facts, objFact{key: aws.ToString(o.Key), size: aws.ToInt64(o.Size)})
			}
		}
	}
	p.Inspected = p.Current <= PlanInspectLimit
	if !p.Inspected {
		p.ToCopy, p.ToCopyBytes = p.Current, p.CurrentBytes
	}
	for i := range facts {
		if !p.Inspected {
			break
		}
		f := facts[i]
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(p.Bucket), Key: aws.String(f.key)})
		if err != nil {
			return fmt.Errorf("HeadObject %s/%s: %w", p.Bucket, f.key, err)
		}
		f.kmsKey, f.locked = aws.ToString(h.SSEKMSKeyId), objectLocked(h, time.Now())
		p.tally(f)
	}
	return p.countNoncurrent(ctx, c)
}

// countNoncurrent counts the bucket's noncurrent versions (streamed).
func (p *S3RollbackPlan) countNoncurrent(ctx context.Context, c S3Bucket) error {
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(p.Bucket)}
	for {
		out, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			return fmt.Errorf("ListObjectVersions %s: %w", p.Bucket, err)
		}
		for _, v := range out.Versions {
			if !aws.ToBool(v.IsLatest) {
				p.Noncurrent++
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}
