package rotation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/byok-dev/byok/internal/audit"
)

// AuditLog adapts the hash-chained audit log to the engine's Auditor.
type AuditLog struct{ Log *audit.Log }

// Record appends one entry: a succeeded rotation, a refused key or an
// abandoned one (AuditRecord.Outcome).
func (a AuditLog) Record(ctx context.Context, r AuditRecord) error {
	timings := map[string]string{}
	for k, v := range r.Timings {
		timings[k] = v.String()
	}
	tj, err := json.Marshal(timings)
	if err != nil {
		return fmt.Errorf("audit timings: %w", err)
	}
	outcome := r.Outcome
	if outcome == audit.OutcomeUnknown {
		outcome = audit.OutcomeSucceeded
	}
	_, err = a.Log.Append(ctx, audit.Entry{Operator: r.Operator, ChangeRef: r.ChangeRef, RunID: r.RunID.String(),
		KeyARN: r.KeyARN, Strategy: r.Strategy, OldMaterialID: r.OldMaterialID, NewMaterialID: r.NewMaterialID,
		OldKeyID: r.OldKeyID, NewKeyID: r.NewKeyID, BlobSHA256: r.BlobSHA256, Verification: r.Verification,
		Timings: tj, Outcome: outcome})
	if err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return nil
}

// Has reports whether the run already has an entry for the key.
func (a AuditLog) Has(ctx context.Context, runID, keyARN string) (bool, error) {
	es, err := a.Log.List(ctx)
	if err != nil {
		return false, fmt.Errorf("read audit log: %w", err)
	}
	for _, e := range es {
		if e.RunID == runID && e.KeyARN == keyARN {
			return true, nil
		}
	}
	return false, nil
}
