package rotation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/store"
)

// checkAbandonable refuses a key on which KMS still holds the run's work:
// material the run imported pending rotation (in the key or a replica), or
// an alias on a key the run created that cannot encrypt. A key it cannot
// read is refused too: abandoning is allowed only after checking.
func (e *Engine) checkAbandonable(ctx context.Context, run store.Run, rk store.RunKey) (AbandonedKey, error) {
	ak := AbandonedKey{KeyARN: rk.KeyARN}
	targets := []string{rk.KeyARN}
	if k, err := e.estateKeyFor(ctx, rk); err == nil {
		for _, region := range k.Replicas {
			targets = append(targets, replicaARN(rk.KeyARN, region))
		}
	}
	for _, arn := range targets {
		st, err := Inspect(ctx, e.securityKMS(regionOf(arn)), arn)
		if err != nil {
			return ak, &AbandonRefusal{KeyARN: arn, Why: "cannot check what KMS holds: " + err.Error(),
				Hint: "fix access to the key (operator role), then run byok runs abandon again"}
		}
		if m, ok := st.Pending(); ok && m.Description == run.ID.String() {
			return ak, &AbandonRefusal{KeyARN: arn, Why: fmt.Sprintf("material %s that this run imported is %s", m.ID, m.State),
				Hint: fmt.Sprintf("finish the run (byok resume %s) or rotate the key (RotateKeyOnDemand) first", run.ID)}
		}
	}
	if rk.NewKeyID == "" || rk.Strategy == RollbackStrategy.String() {
		return ak, nil // a rollback's NewKeyID is the key its alias leaves, not one it created
	}
	return e.checkNewKey(ctx, run, rk, ak)
}

// checkNewKey refuses when an alias points at the run's new key while it
// cannot encrypt, and names the new key as a stray when no alias does.
func (e *Engine) checkNewKey(ctx context.Context, run store.Run, rk store.RunKey, ak AbandonedKey) (AbandonedKey, error) {
	k := e.securityKMS(regionOf(rk.KeyARN))
	d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(rk.NewKeyID)})
	if err != nil {
		return ak, &AbandonRefusal{KeyARN: rk.NewKeyID, Why: "cannot read the run's new key: " + err.Error(),
			Hint: "fix access to the key (operator role), then run byok runs abandon again"}
	}
	as, err := k.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String(rk.NewKeyID)})
	if err != nil {
		return ak, &AbandonRefusal{KeyARN: rk.NewKeyID, Why: "cannot list the new key's aliases: " + err.Error(),
			Hint: "fix access to the key (operator role), then run byok runs abandon again"}
	}
	switch {
	case len(as.Aliases) > 0 && d.KeyMetadata.KeyState != types.KeyStateEnabled:
		return ak, &AbandonRefusal{KeyARN: rk.NewKeyID,
			Why:  fmt.Sprintf("alias %s points at the run's new key, which is %s and cannot encrypt", aws.ToString(as.Aliases[0].AliasName), d.KeyMetadata.KeyState),
			Hint: fmt.Sprintf("move the alias back first: byok rollback %s", run.ID)}
	case len(as.Aliases) == 0:
		ak.StrayKey = rk.NewKeyID
	}
	return ak, nil
}

// auditAbandoned appends the entry of one unfinished key (once per run).
func (e *Engine) auditAbandoned(ctx context.Context, run store.Run, k AbandonedKey, reason string) error {
	done, err := e.Audit.Has(ctx, run.ID.String(), k.KeyARN)
	if err != nil || done {
		return err
	}
	why, _ := json.Marshal(map[string]string{"abandoned": reason, "step": k.Step, "stray_key": k.StrayKey})
	return e.Audit.Record(ctx, AuditRecord{RunID: run.ID, Operator: e.Operator, ChangeRef: run.ChangeRef,
		KeyARN: k.KeyARN, Strategy: run.Strategy, Verification: why, Outcome: audit.OutcomeFailed})
}
