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

	"github.com/byok-dev/byok/internal/retire"
	"github.com/byok-dev/byok/internal/store"
)

// The retire procedures act on an old key no alias points to (the run
// key is that key; its request names it by ARN). retire: plan (the
// evidence again, under the key lock) → disable (DisableKey) → verify →
// record → done; retire-undo the same with EnableKey; schedule-deletion
// with ScheduleKeyDeletion. Every action is idempotent: KMS accepts
// DisableKey on a disabled key and EnableKey on an enabled one, and a
// ScheduleKeyDeletion that already took effect is read back from
// DescribeKey. The HSM object that holds the key's material is never
// touched: deleting it is the HSM owner's decision.
func init() {
	for _, p := range []struct {
		s  Strategy
		st store.Step
		do action
	}{{Retire, store.StepDisable, (*keyJob).retireDisable}, {RetireUndo, store.StepEnable, (*keyJob).retireEnable},
		{ScheduleDeletion, store.StepScheduleDeletion, (*keyJob).retireSchedule}} {
		register(&procedure{strategy: p.s, table: []stepDef{
			{step: store.StepPlan, do: (*keyJob).retirePlan, next: []store.Step{p.st}},
			{step: p.st, do: p.do, next: []store.Step{store.StepVerify}},
			{step: store.StepVerify, do: (*keyJob).retireVerify, next: []store.Step{store.StepRecord}},
			{step: store.StepRecord, do: (*keyJob).retireRecord, next: []store.Step{store.StepDone}},
			{step: store.StepDone, do: (*keyJob).done},
		}})
	}
}

// HSMNote is what every retire output says about the HSM.
const HSMNote = "byok never deletes the HSM object that holds this key's material; delete it on the HSM when your retention policy allows"

// retireKMS are the calls only the retire procedures make.
type retireKMS interface {
	DisableKey(ctx context.Context, in *kms.DisableKeyInput, opts ...func(*kms.Options)) (*kms.DisableKeyOutput, error)
	EnableKey(ctx context.Context, in *kms.EnableKeyInput, opts ...func(*kms.Options)) (*kms.EnableKeyOutput, error)
	ScheduleKeyDeletion(ctx context.Context, in *kms.ScheduleKeyDeletionInput, opts ...func(*kms.Options)) (*kms.ScheduleKeyDeletionOutput, error)
}

func (j *keyJob) retireClient() (retireKMS, error) {
	c, ok := j.e.Clients.KMS(j.e.Estate.SecurityAccount, j.key.Region).(retireKMS)
	if !ok {
		return nil, errors.New("the engine's KMS client cannot disable, enable or schedule deletion of keys")
	}
	return c, nil
}

func (j *keyJob) retireOptions() (RetireOptions, error) {
	sel, err := decodeSelector(j.run)
	if err != nil || sel.Retire == nil {
		return RetireOptions{}, fmt.Errorf("run %s records no retire options: %w", j.run.ID, errors.Join(err, store.ErrInvalid))
	}
	return *sel.Retire, nil
}

// retirePlan judges the key again under its lock: what the operator
// approved may have changed since (a new consumer, an alias moved back).
func (j *keyJob) retirePlan(ctx context.Context) error {
	o, err := j.retireOptions()
	if err != nil {
		return err
	}
	d, err := j.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(j.rk.KeyARN)})
	if err != nil {
		return fmt.Errorf("describe %s: %w", j.rk.KeyARN, err)
	}
	var already *AlreadyError
	if err := j.e.retireStateCheck(j.strategy(), d.KeyMetadata); err != nil && !errors.As(err, &already) {
		return &Refusal{KeyARN: j.rk.KeyARN, Err: err, Hint: "the key changed since the plan; byok runs abandon " + j.run.ID.String() + " --reason …"}
	}
	dec, _, err := j.e.retireEvidence(ctx, j.strategy(), j.rk.KeyARN, o)
	if err != nil {
		if isBlock(err) {
			return &Refusal{KeyARN: j.rk.KeyARN, Err: err, Hint: "remove what blocks it, then byok resume " + j.run.ID.String() + "; or byok runs abandon " + j.run.ID.String() + " --reason …"}
		}
		return err
	}
	return j.keepWarnings(ctx, dec.Warnings)
}

// retireResult is the verification a retire run journals and audits:
// the key's state after the run and what the run knowingly left
// unusable (DB snapshots on a disabled key), judged by the plan step.
type retireResult struct {
	KeyState     string           `json:"key_state,omitempty"`
	DeletionDate string           `json:"deletion_date,omitempty"`
	HSM          string           `json:"hsm,omitempty"`
	Warnings     []retire.Blocker `json:"warnings,omitempty"`
}

// keepWarnings journals the plan's warnings in the run key, for the
// verify step's result and the audit entry (a resumed run keeps them).
func (j *keyJob) keepWarnings(ctx context.Context, w []retire.Blocker) error {
	j.rk.Verification = nil
	if len(w) > 0 {
		b, err := json.Marshal(retireResult{Warnings: w})
		if err != nil {
			return err
		}
		j.rk.Verification = b
	}
	return j.save(ctx)
}

func (j *keyJob) retireDisable(ctx context.Context) error {
	c, err := j.retireClient()
	if err == nil {
		_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(j.rk.KeyARN)})
	}
	if err != nil {
		return fmt.Errorf("disable %s: %w", j.rk.KeyARN, err)
	}
	return nil
}

func (j *keyJob) retireEnable(ctx context.Context) error {
	c, err := j.retireClient()
	if err == nil {
		_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(j.rk.KeyARN)})
	}
	if err != nil {
		return fmt.Errorf("enable %s: %w", j.rk.KeyARN, err)
	}
	return nil
}

// retireSchedule runs ScheduleKeyDeletion; a key already pending deletion
// (this step ran before a crash) is left as it is.
func (j *keyJob) retireSchedule(ctx context.Context) error {
	o, err := j.retireOptions()
	if err != nil {
		return err
	}
	d, err := j.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(j.rk.KeyARN)})
	if err != nil {
		return fmt.Errorf("describe %s: %w", j.rk.KeyARN, err)
	}
	if d.KeyMetadata.KeyState == types.KeyStatePendingDeletion {
		return nil
	}
	c, err := j.retireClient()
	if err == nil {
		_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(j.rk.KeyARN), PendingWindowInDays: aws.Int32(o.PendingDays)})
	}
	if err != nil {
		return fmt.Errorf("schedule deletion of %s: %w", j.rk.KeyARN, err)
	}
	return nil
}

// retireWant is the key state each retire procedure ends in.
func retireWant(s Strategy) types.KeyState {
	switch s {
	case RetireUndo:
		return types.KeyStateEnabled
	case ScheduleDeletion:
		return types.KeyStatePendingDeletion
	}
	return types.KeyStateDisabled
}

func (j *keyJob) retireVerify(ctx context.Context) error {
	d, err := j.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(j.rk.KeyARN)})
	if err != nil {
		return fmt.Errorf("describe %s: %w", j.rk.KeyARN, err)
	}
	md := d.KeyMetadata
	if want := retireWant(j.strategy()); md.KeyState != want {
		return fmt.Errorf("%w: %s is %s after %s, want %s", ErrVerification, j.rk.KeyARN, md.KeyState, j.strategy(), want)
	}
	var v retireResult
	if len(j.rk.Verification) > 0 {
		if err := json.Unmarshal(j.rk.Verification, &v); err != nil {
			return fmt.Errorf("run %s: the plan step's warnings: %w", j.run.ID, err)
		}
	}
	v.KeyState, v.HSM = string(md.KeyState), HSMNote
	if md.DeletionDate != nil {
		v.DeletionDate = md.DeletionDate.UTC().Format(time.RFC3339)
	}
	if j.rk.Verification, err = json.Marshal(v); err != nil {
		return err
	}
	return j.save(ctx)
}

func (j *keyJob) retireRecord(ctx context.Context) error {
	done, err := j.e.Audit.Has(ctx, j.run.ID.String(), j.rk.KeyARN)
	if err != nil || done {
		return err
	}
	rk, err := j.e.Store.GetRunKey(ctx, j.run.ID, j.rk.KeyARN)
	if err != nil {
		return err
	}
	return j.e.Audit.Record(ctx, AuditRecord{RunID: j.run.ID, Operator: j.run.Operator, ChangeRef: j.run.ChangeRef,
		KeyARN: j.rk.KeyARN, Strategy: j.strategy().String(), OldKeyID: j.rk.KeyARN,
		Verification: rk.Verification, Timings: j.timings})
}
