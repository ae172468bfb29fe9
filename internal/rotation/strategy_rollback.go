package rotation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/store"
)

// The rollback procedure: the alias a new-key run moved goes back to the
// old key. The run key is the old key (KeyARN) and the key the run
// created (NewKeyID, left enabled so data encrypted under it meanwhile
// stays readable). Every action is idempotent: UpdateAlias to the old key
// and UntagResource of the superseded tags may run again; verify reads the
// alias back; record appends one audit entry (outcome rolled-back).
func init() {
	register(&procedure{strategy: RollbackStrategy, table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).rollbackPlan, next: []store.Step{store.StepRollback}},
		{step: store.StepRollback, do: (*keyJob).rollbackAlias, next: []store.Step{store.StepVerify}},
		{step: store.StepVerify, do: (*keyJob).rollbackVerify, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).rollbackRecord, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
}

// ErrAliasElsewhere: the alias targets neither key of the rolled-back run
// (someone moved it since); byok does not move it.
var ErrAliasElsewhere = fmt.Errorf("alias targets a key the run neither replaced nor created")

// aliasTarget is the ARN the key's alias targets now.
func (j *keyJob) aliasTarget(ctx context.Context) (string, error) {
	d, err := j.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(j.key.AliasARN())})
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", j.key.Alias, err)
	}
	return aws.ToString(d.KeyMetadata.Arn), nil
}

// rollbackPlan checks the alias targets the new key or (already) the old one.
func (j *keyJob) rollbackPlan(ctx context.Context) error {
	arn, err := j.aliasTarget(ctx)
	if err != nil {
		return err
	}
	if arn != j.rk.KeyARN && arn != j.rk.NewKeyID {
		return &Refusal{KeyARN: j.rk.KeyARN, Err: fmt.Errorf("%w: %s targets %s", ErrAliasElsewhere, j.key.Alias, arn),
			Hint: "find who moved the alias (CloudTrail UpdateAlias); move it yourself if that is right, then: byok runs abandon " + j.run.ID.String() + " --reason …"}
	}
	j.rk.OldKeyID = j.rk.NewKeyID // the alias moves away from it
	return j.save(ctx)
}

func (j *keyJob) rollbackAlias(ctx context.Context) error {
	_, err := j.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(j.key.Alias), TargetKeyId: aws.String(j.rk.KeyARN)})
	if err == nil {
		_, err = j.kms.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(j.rk.KeyARN),
			TagKeys: []string{TagSupersededAlias, TagSupersededBy}})
	}
	if err != nil {
		return fmt.Errorf("roll back alias %s: %w", j.key.Alias, err)
	}
	return nil
}

func (j *keyJob) rollbackVerify(ctx context.Context) error {
	arn, err := j.aliasTarget(ctx)
	if err != nil {
		return err
	}
	if arn != j.rk.KeyARN {
		return fmt.Errorf("%w: %s targets %s after the rollback, want %s", ErrVerification, j.key.Alias, arn, j.rk.KeyARN)
	}
	j.rk.Verification, _ = json.Marshal(map[string]string{"alias": j.key.Alias, "target": arn})
	return j.save(ctx)
}

func (j *keyJob) rollbackRecord(ctx context.Context) error {
	done, err := j.e.Audit.Has(ctx, j.run.ID.String(), j.rk.KeyARN)
	if err != nil || done {
		return err
	}
	return j.e.Audit.Record(ctx, AuditRecord{RunID: j.run.ID, Operator: j.run.Operator, ChangeRef: j.run.ChangeRef,
		KeyARN: j.rk.KeyARN, Alias: j.key.Alias, Strategy: RollbackStrategy.String(), OldKeyID: j.rk.NewKeyID,
		NewKeyID: j.rk.KeyARN, Verification: j.rk.Verification, Timings: j.timings, Outcome: audit.OutcomeRolledBack})
}
