package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
	"github.com/byok-dev/byok/internal/watch"
)

// Tags byok writes on success. They help tag-based tools; they are not
// proof of rotation (anyone with kms:TagResource can write them) — the
// authoritative record is ListKeyRotations.
const (
	TagLastRotationDate  = "LastRotationDate"
	TagLastKeyMaterialID = "LastKeyMaterialId"
)

func (j *keyJob) tag(ctx context.Context) error {
	key := j.rk.KeyARN
	if j.strategy() == NewKey {
		key = j.rk.NewKeyID
	}
	_, err := j.kms.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(key), Tags: []types.Tag{
		{TagKey: aws.String(TagLastRotationDate), TagValue: aws.String(time.Now().UTC().Format(time.RFC3339))},
		{TagKey: aws.String(TagLastKeyMaterialID), TagValue: aws.String(j.rk.NewMaterialID)},
	}})
	if err != nil {
		return fmt.Errorf("tag key: %w", err)
	}
	return nil
}

// ErrFailedCalls means CloudTrail shows failed KMS calls on the key since
// the rotation began.
var ErrFailedCalls = errors.New("CloudTrail shows failed KMS calls on the key after rotation")

func (j *keyJob) watch(ctx context.Context) error {
	if j.releaseSlot != nil {
		j.releaseSlot() // from here the key only waits
	}
	if j.e.WatchWindow > 0 {
		j.e.logger().InfoContext(ctx, "waiting before reading CloudTrail for failed calls on the key (the watch window)", logRun, j.run.ID.String(),
			logKey, j.rk.KeyARN, "until", time.Now().Add(j.e.WatchWindow).UTC().Format(time.RFC3339))
		if err := sleepCtx(ctx, j.e.WatchWindow); err != nil {
			return err
		}
	}
	since := j.run.Created
	if !j.changeStart.IsZero() {
		since = j.changeStart
	}
	own, err := j.ownCallsOf(ctx)
	if err != nil {
		return err
	}
	var found []watch.Failure
	until := time.Now()
	for _, acct := range j.accounts() {
		f, err := j.failuresIn(ctx, acct, since, until, own)
		if err != nil {
			return err
		}
		found = append(found, relevant(f)...)
	}
	if len(found) > 0 {
		b, _ := json.Marshal(found)
		return fmt.Errorf("%w: %s", ErrFailedCalls, b)
	}
	return nil
}

// failuresIn reads acct's failed calls on the key through the run's
// watcher of acct and the key's Region (shared with the run's other keys
// there), or on its own when the job runs outside a run's watchers.
func (j *keyJob) failuresIn(ctx context.Context, acct string, since, until time.Time, own watch.Own) ([]watch.Failure, error) {
	if j.trails == nil {
		src, err := j.e.WatchSource(acct, j.key.Region)
		if err != nil {
			return nil, err
		}
		conf := j.e.WatchConf()
		if conf.Source == estate.WatchEventBridge {
			// As the run's watchers do: read only once what happened
			// until `until` can have been delivered.
			if err := sleepCtx(ctx, time.Until(until.Add(conf.DeliveryDelay))); err != nil {
				return nil, err
			}
		}
		return watch.SourceFailures(ctx, src, acct, j.rk.KeyARN, since, until.Add(conf.DeliveryDelay), own)
	}
	w, err := j.trails.of(acct, j.key.Region)
	if err != nil {
		return nil, err
	}
	f, err := w.Failures(ctx, j.rk.KeyARN, since, until, own)
	if err != nil {
		return nil, fmt.Errorf("watch %s in %s: %w", acct, j.key.Region, err)
	}
	return f, nil
}

// relevant keeps the failures that say the key's users are affected. The
// run's own calls are already out (watch.Own: its operator's journaled
// request IDs); a RotateKeyOnDemand conflict, an expired import token or
// throttling is nobody's broken key.
func relevant(fs []watch.Failure) []watch.Failure {
	var out []watch.Failure
	for _, f := range fs {
		if f.Event == "RotateKeyOnDemand" && f.ErrorCode == "ConflictException" {
			continue
		}
		if f.Event == "ImportKeyMaterial" && f.ErrorCode == "ExpiredImportTokenException" {
			continue // the import step fetches new parameters and re-wraps
		}
		if f.ErrorCode == "ThrottlingException" {
			continue
		}
		out = append(out, f)
	}
	return out
}

// AuditRecord is what a finished key rotation leaves in the audit log.
type AuditRecord struct {
	RunID         store.RunID
	Operator      string
	ChangeRef     string
	KeyARN        string
	Alias         string
	Strategy      string
	OldMaterialID string
	NewMaterialID string
	OldKeyID      string
	NewKeyID      string
	BlobSHA256    string
	Verification  json.RawMessage
	Timings       map[string]time.Duration
	// Outcome is the entry's outcome; zero means succeeded. A refused key
	// (nothing changed) and an abandoned run's unfinished key carry the
	// reason in Verification.
	Outcome audit.Outcome
}

func (j *keyJob) record(ctx context.Context) error {
	done, err := j.e.Audit.Has(ctx, j.run.ID.String(), j.rk.KeyARN)
	if err != nil || done {
		return err
	}
	rk, err := j.e.Store.GetRunKey(ctx, j.run.ID, j.rk.KeyARN)
	if err != nil {
		return err
	}
	return j.e.Audit.Record(ctx, AuditRecord{RunID: j.run.ID, Operator: j.run.Operator, ChangeRef: j.run.ChangeRef,
		KeyARN: j.rk.KeyARN, Alias: j.key.Alias, Strategy: j.strategy().String(), OldMaterialID: rk.OldMaterialID,
		NewMaterialID: rk.NewMaterialID, OldKeyID: rk.OldKeyID, NewKeyID: rk.NewKeyID, BlobSHA256: rk.BlobSHA256,
		Verification: rk.Verification, Timings: j.timings})
}

// hintFor tells the operator what to do about a failed step.
func hintFor(err error, run store.RunID) string {
	var ae *accountError
	var ref *Refusal
	switch {
	case errors.As(err, &ref):
		return ref.Hint
	case errors.As(err, &ae):
		return fmt.Sprintf("%s from account %s failed: check that the key policy allows that account (and its byok-verify role) the call, then: byok resume %s", ae.Call, ae.Account, run)
	case errors.Is(err, ErrVerification):
		return fmt.Sprintf("fix the account named above (key policy, grants, key state), then: byok resume %s; a new-key run can be undone with: byok rollback %s", run, run)
	case errors.Is(err, ErrFailedCalls):
		return "inspect the failed calls (byok watch --run " + run.String() + "); resume to re-check once fixed"
	case errors.Is(err, ErrRotateTimeout):
		return "KMS has not finished the rotation; run byok resume " + run.String() + " later"
	case errors.Is(err, ErrAliasPropagation):
		return "the alias does not point at the new key yet (or someone moved it): check it with aws kms list-aliases, then byok resume " + run.String() + "; byok rollback " + run.String() + " points it back at the old key"
	}
	return "fix the cause, then: byok resume " + run.String()
}
