package rotation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/store"
)

// ErrRotateTimeout means KMS did not finish an on-demand rotation in time.
var ErrRotateTimeout = errors.New("on-demand rotation did not complete in time")

// rotate calls RotateKeyOnDemand unless the rotation already happened or
// is under way, then waits until DescribeKey names the new material and
// GetKeyRotationStatus shows no rotation in progress. Only a rotate step
// an earlier attempt began can have started the rotation (the step is
// journaled before the call), so only then is KMS asked first; otherwise
// an error of the call is checked against KMS's state instead.
func (j *keyJob) rotate(ctx context.Context) error {
	if j.retry == store.StepRotate {
		cur, inProgress, err := j.rotationState(ctx)
		if err != nil {
			return err
		}
		if cur == j.rk.NewMaterialID && !inProgress {
			return nil
		}
		if inProgress {
			return j.waitRotated(ctx)
		}
	}
	_, err := j.kms.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(j.rk.KeyARN)})
	if err != nil && !isConflict(err) && !j.rotationStarted(ctx) {
		return fmt.Errorf("rotate key on demand: %w", err)
	}
	return j.waitRotated(ctx)
}

// rotationStarted reports whether KMS shows the rotation under way or done
// after a RotateKeyOnDemand error: a lost answer whose retry found no
// pending material left to rotate.
func (j *keyJob) rotationStarted(ctx context.Context) bool {
	cur, inProgress, err := j.rotationState(ctx)
	return err == nil && (inProgress || cur == j.rk.NewMaterialID)
}

func isConflict(err error) bool {
	var c *types.ConflictException
	return errors.As(err, &c)
}

func (j *keyJob) rotationState(ctx context.Context) (current string, inProgress bool, err error) {
	d, err := j.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(j.rk.KeyARN)})
	if err != nil {
		return "", false, fmt.Errorf("describe key: %w", err)
	}
	s, err := j.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(j.rk.KeyARN)})
	if err != nil {
		return "", false, fmt.Errorf("get key rotation status: %w", err)
	}
	return aws.ToString(d.KeyMetadata.CurrentKeyMaterialId), s.OnDemandRotationStartDate != nil, nil
}

// firstPoll is the first wait for an on-demand rotation or an alias
// change. KMS documents no duration for an on-demand rotation (the
// sandbox takes 2 s).
const firstPoll = 250 * time.Millisecond

// Polls of an on-demand rotation: every steadyPoll while it is young (a
// rotation of imported material usually ends within seconds, and a key's
// rotation slot is held while it waits), doubling up to Engine.Poll after
// steadyFor. A poll is one DescribeKey (100/s per account and Region in
// byok's table); GetKeyRotationStatus (30/s) is asked only once DescribeKey
// names the new material, so at 250 ms 25 keys can wait at once without
// throttling.
const (
	steadyPoll = 250 * time.Millisecond
	steadyFor  = 10 * time.Second
)

// rotationPoll is the wait before the next poll of a rotation that has
// been waited for for elapsed, with poll the longest wait.
func rotationPoll(elapsed, last, poll time.Duration) time.Duration {
	switch {
	case last == 0:
		return min(firstPoll, poll)
	case elapsed < steadyFor:
		return min(steadyPoll, poll)
	default:
		return min(max(2*last, steadyPoll), poll)
	}
}

// waitRotated polls until the primary and every replica name the new
// material as current and no rotation is in progress.
func (j *keyJob) waitRotated(ctx context.Context) error {
	poll, limit := j.e.Poll, j.e.RotateTimeout
	if poll <= 0 {
		poll = 2 * time.Second
	}
	if limit <= 0 {
		limit = 30 * time.Minute
	}
	start := time.Now()
	deadline := start.Add(limit)
	j.e.logger().InfoContext(ctx, "waiting for KMS to complete the on-demand rotation", logRun, j.run.ID.String(),
		logKey, j.rk.KeyARN, "new_material", j.rk.NewMaterialID, "deadline", deadline.UTC().Format(time.RFC3339))
	var wait time.Duration
	for {
		cur, err := j.rotatedTo(ctx)
		if err != nil || cur == "" {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w after %s (current material %s, want %s)", ErrRotateTimeout, limit, cur, j.rk.NewMaterialID)
		}
		wait = rotationPoll(time.Since(start), wait, poll)
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
	}
}

// rotatedTo is "" once the primary and every replica name the new material
// as current and no rotation is in progress, and otherwise what is current
// where it is not yet. It reads DescribeKey first and asks
// GetKeyRotationStatus (the scarcer quota) only once the primary names the
// new material: KMS makes the material current when the rotation ends.
func (j *keyJob) rotatedTo(ctx context.Context) (string, error) {
	d, err := j.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(j.rk.KeyARN)})
	if err != nil {
		return "", fmt.Errorf("describe key: %w", err)
	}
	if cur := aws.ToString(d.KeyMetadata.CurrentKeyMaterialId); cur != j.rk.NewMaterialID {
		return cur, nil
	}
	s, err := j.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(j.rk.KeyARN)})
	if err != nil {
		return "", fmt.Errorf("get key rotation status: %w", err)
	}
	if s.OnDemandRotationStartDate != nil {
		return j.rk.NewMaterialID + " (rotation still in progress)", nil
	}
	return j.replicaLagging(ctx)
}

// replicaLagging names a replica whose current material is not yet the
// new one ("" when every replica has it).
func (j *keyJob) replicaLagging(ctx context.Context) (string, error) {
	for _, region := range j.key.Replicas {
		arn := replicaARN(j.rk.KeyARN, region)
		d, err := j.e.securityKMS(region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
		if err != nil {
			return "", fmt.Errorf("describe replica %s: %w", arn, err)
		}
		if cur := aws.ToString(d.KeyMetadata.CurrentKeyMaterialId); cur != j.rk.NewMaterialID {
			return fmt.Sprintf("%s in replica %s", cur, region), nil
		}
	}
	return "", nil
}

// importReplicas imports the same HSM material into every replica Region
// as EXISTING_KEY_MATERIAL with the primary's KeyMaterialId.
func (j *keyJob) importReplicas(ctx context.Context) error {
	for _, region := range j.key.Replicas {
		if err := j.importReplica(ctx, region); err != nil {
			return fmt.Errorf("replica in %s: %w", region, err)
		}
	}
	return nil
}

func (j *keyJob) importReplica(ctx context.Context, region string) error {
	arn := replicaARN(j.rk.KeyARN, region)
	k := j.e.securityKMS(region)
	st, err := Inspect(ctx, k, arn)
	if err != nil {
		return err
	}
	for _, m := range st.Materials {
		if m.ID == j.rk.NewMaterialID {
			return nil // imported before a crash
		}
	}
	// The object exists: the primary's import came from it.
	_, err = j.importer(region).Run(ctx, keyimport.Request{KeyID: arn, Source: keyimport.Source{Label: j.hsmLabel()},
		Import: keyimport.Import{Type: types.ImportTypeExistingKeyMaterial, Description: j.run.ID.String(), MaterialID: j.rk.NewMaterialID, ValidTo: j.validTo()}})
	if err != nil && j.replicaHas(ctx, k, arn) {
		return nil // the import took effect; its answer was lost
	}
	return err
}

// replicaHas reports whether the replica already lists the run's material.
func (j *keyJob) replicaHas(ctx context.Context, k KMS, arn string) bool {
	st, err := Inspect(ctx, k, arn)
	if err != nil {
		return false
	}
	_, ok := materialByID(st, j.rk.NewMaterialID)
	return ok
}
