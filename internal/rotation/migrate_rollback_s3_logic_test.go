package rotation

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/store"
)

const (
	rbBucket = "arn:aws:s3:::b"
	rbOld    = "arn:aws:kms:eu-west-1:111111111111:key/old"
	rbNew    = "arn:aws:kms:eu-west-1:111111111111:key/new"
)

func planEvent(arn string, phase store.Phase, detail map[string]any) store.Event {
	raw, _ := json.Marshal(detail)
	return store.Event{KeyARN: arn, Step: store.StepPlan, Phase: phase, Detail: raw}
}

// TestS3Previous: the previous default encryption is read from the plan
// step's end event of the bucket; a run journaled before byok recorded
// it (no such detail), another resource's record, a begin event or an
// unreadable record is ErrNoPreviousEncryption.
func TestS3Previous(t *testing.T) {
	rec := `{"sse_algorithm":"aws:kms","kms_master_key_id":"` + rbOld + `","bucket_key_enabled":false}`
	want := S3Encryption{Algorithm: "aws:kms", KMSKeyID: rbOld}
	for name, c := range map[string]struct {
		evs  []store.Event
		want S3Encryption
		err  error
	}{
		"recorded": {evs: []store.Event{planEvent(rbBucket, store.PhaseBegin, nil),
			planEvent(rbBucket, store.PhaseEnd, map[string]any{"versioning": "Enabled", notePreviousEncryption: rec})}, want: want},
		"journaled before the record": {evs: []store.Event{planEvent(rbBucket, store.PhaseEnd, map[string]any{"versioning": "Enabled", "old_key_id": rbOld})},
			err: ErrNoPreviousEncryption},
		"another bucket's record": {evs: []store.Event{planEvent("arn:aws:s3:::other", store.PhaseEnd, map[string]any{notePreviousEncryption: rec})},
			err: ErrNoPreviousEncryption},
		"only a begin event": {evs: []store.Event{planEvent(rbBucket, store.PhaseBegin, map[string]any{notePreviousEncryption: rec})},
			err: ErrNoPreviousEncryption},
		"unreadable record": {evs: []store.Event{planEvent(rbBucket, store.PhaseEnd, map[string]any{notePreviousEncryption: "{aws:kms"})},
			err: ErrNoPreviousEncryption},
		"empty journal": {err: ErrNoPreviousEncryption},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := s3Previous(c.evs, rbBucket)
			if !errors.Is(err, c.err) || (c.err == nil && err != nil) || got != c.want {
				t.Fatalf("s3Previous = %+v, %v; want %+v, %v", got, err, c.want, c.err)
			}
		})
	}
}

// TestRollbackTarget: only a customer managed KMS key named by the
// previous default can be rolled back onto.
func TestRollbackTarget(t *testing.T) {
	for name, c := range map[string]struct {
		prev S3Encryption
		want string
		err  error
	}{
		"kms key":         {prev: S3Encryption{Algorithm: "aws:kms", KMSKeyID: rbOld, BucketKey: true}, want: rbOld},
		"kms alias":       {prev: S3Encryption{Algorithm: "aws:kms", KMSKeyID: "alias/prod/s3"}, want: "alias/prod/s3"},
		"aws managed key": {prev: S3Encryption{Algorithm: "aws:kms"}, err: ErrPreviousNotKMS},
		"sse-s3":          {prev: S3Encryption{Algorithm: "AES256"}, err: ErrPreviousNotKMS},
		"dsse":            {prev: S3Encryption{Algorithm: "aws:kms:dsse", KMSKeyID: rbOld}, err: ErrPreviousNotKMS},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := c.prev.rollbackTarget()
			if !errors.Is(err, c.err) || (c.err == nil && err != nil) || got != c.want {
				t.Fatalf("rollbackTarget = %q, %v; want %q, %v", got, err, c.want, c.err)
			}
		})
	}
}

// TestOldKeyVerdict: a retired key (disabled, pending deletion) refuses
// with the way back (retire --undo); a key the role cannot describe or
// use, or in another state, is unusable; an enabled usable key passes.
func TestOldKeyVerdict(t *testing.T) {
	denied := errors.New("AccessDeniedException")
	for name, c := range map[string]struct {
		describeErr, useErr error
		state               kmstypes.KeyState
		err                 error
		says                string
	}{
		"enabled and usable":       {state: kmstypes.KeyStateEnabled},
		"disabled":                 {state: kmstypes.KeyStateDisabled, err: ErrOldKeyRetired, says: "byok retire --key " + rbOld + " --undo"},
		"pending deletion":         {state: kmstypes.KeyStatePendingDeletion, err: ErrOldKeyRetired, says: "cancel-key-deletion"},
		"pending replica deletion": {state: kmstypes.KeyStatePendingReplicaDeletion, err: ErrOldKeyRetired, says: "PendingReplicaDeletion"},
		"pending import":           {state: kmstypes.KeyStatePendingImport, err: ErrOldKeyUnusable, says: "PendingImport, not Enabled"},
		"cannot describe":          {describeErr: denied, err: ErrOldKeyUnusable, says: "cannot describe"},
		"cannot use":               {state: kmstypes.KeyStateEnabled, useErr: denied, err: ErrOldKeyUnusable, says: "add the account back to the key policy"},
	} {
		t.Run(name, func(t *testing.T) {
			err := oldKeyVerdict(rbOld, "333333333333", c.describeErr, c.state, c.useErr)
			if !errors.Is(err, c.err) || (c.err == nil && err != nil) || (err != nil && !strings.Contains(err.Error(), c.says)) {
				t.Fatalf("oldKeyVerdict = %v; want %v saying %q", err, c.err, c.says)
			}
		})
	}
}

// TestRollbackPlanTally: objects on the migration's key are copied back
// (bytes counted) unless locked (listed); objects already on the old key
// and on other keys are left alone.
func TestRollbackPlanTally(t *testing.T) {
	for name, c := range map[string]struct {
		objs                     []objFact
		copy, bytes, old, others int64
		locked                   []string
	}{
		"empty": {},
		"all moved": {objs: []objFact{{key: "a", kmsKey: rbNew, size: 3}, {key: "b", kmsKey: rbNew, size: 4}},
			copy: 2, bytes: 7},
		"mixed": {objs: []objFact{{key: "a", kmsKey: rbNew, size: 3}, {key: "b", kmsKey: rbOld, size: 9},
			{key: "c", kmsKey: "arn:aws:kms:eu-west-1:111111111111:key/third", size: 5}, {key: "d", kmsKey: "", size: 1},
			{key: "e", kmsKey: rbNew, size: 8, locked: true}, {key: "f", kmsKey: rbOld, size: 2, locked: true}},
			copy: 1, bytes: 3, old: 2, others: 2, locked: []string{"e"}},
	} {
		t.Run(name, func(t *testing.T) {
			p := S3RollbackPlan{FromKey: rbNew, ToKey: rbOld}
			for _, o := range c.objs {
				p.tally(o)
			}
			if p.ToCopy != c.copy || p.ToCopyBytes != c.bytes || p.AlreadyOld != c.old || p.OtherKeys != c.others || !slices.Equal(p.Locked, c.locked) {
				t.Fatalf("plan %+v; want copy %d (%d bytes), old %d, others %d, locked %v", p, c.copy, c.bytes, c.old, c.others, c.locked)
			}
		})
	}
}

// TestSwitchedS3: a bucket migration is rolled back once its default
// encryption step began, not before.
func TestSwitchedS3(t *testing.T) {
	for step, want := range map[store.Step]bool{store.StepPlan: false, store.StepDefaultEncryption: true,
		store.StepReencrypt: true, store.StepVerify: true, store.StepDone: true} {
		if got := switched(store.RunKey{Strategy: MigrateS3Bucket.String(), Step: step}); got != want {
			t.Errorf("switched at %s = %v, want %v", step, got, want)
		}
	}
}

// FuzzS3Previous: any plan step detail yields either a record or an
// error wrapping ErrNoPreviousEncryption (or the detail's own JSON
// error), never a panic; a record read back marshals to itself.
func FuzzS3Previous(f *testing.F) {
	f.Add(`{"previous_encryption":"{\"sse_algorithm\":\"aws:kms\",\"kms_master_key_id\":\"k\",\"bucket_key_enabled\":true}"}`)
	f.Add(`{"previous_encryption":"{aws"}`)
	f.Add(`{"previous_encryption":7}`)
	f.Add(`{"versioning":"Enabled"}`)
	f.Add(`not json`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, detail string) {
		ev := store.Event{KeyARN: rbBucket, Step: store.StepPlan, Phase: store.PhaseEnd, Detail: json.RawMessage(detail)}
		p, err := s3Previous([]store.Event{ev}, rbBucket)
		if err != nil {
			if p != (S3Encryption{}) {
				t.Fatalf("error %v with a record %+v", err, p)
			}
			return
		}
		raw, _ := json.Marshal(p)
		var back S3Encryption
		if json.Unmarshal(raw, &back) != nil || back != p {
			t.Fatalf("record %+v does not survive JSON: %s", p, raw)
		}
	})
}
