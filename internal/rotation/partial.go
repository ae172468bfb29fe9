package rotation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/store"
)

// PartialError is the end of a run that did every admitted key but was
// refused others: it names each refused key with its reason. Errs are the
// refusals this process saw (matchable with errors.Is / errors.As).
type PartialError struct {
	RunID   store.RunID
	Refused []store.RequestKey
	Errs    []error
}

func (e *PartialError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "run %s is partial: %d requested key(s) not (wholly) done:", e.RunID, len(e.Refused))
	for _, rq := range e.Refused {
		fmt.Fprintf(&b, "\n  %s (%s): %s", rq.Alias, rq.Region, rq.Reason)
	}
	return b.String()
}

// Unwrap returns the refusals this process saw.
func (e *PartialError) Unwrap() []error { return e.Errs }

func byAdmission(rqs []store.RequestKey, a store.Admission) []store.RequestKey {
	var out []store.RequestKey
	for _, rq := range rqs {
		if rq.Admission == a {
			out = append(out, rq)
		}
	}
	return out
}

func aliases(rqs []store.RequestKey) string {
	var names []string
	for _, rq := range rqs {
		names = append(names, rq.Alias+" "+rq.Region)
	}
	return strings.Join(names, ", ")
}

// auditRefusals appends one audit entry (outcome refused, the reason in
// its verification) per refused key the log does not have yet for the run.
func (e *Engine) auditRefusals(ctx context.Context, run store.Run, refused []store.RequestKey) error {
	for _, rq := range refused {
		key := rq.KeyARN
		if key == "" {
			key = rq.Alias + " (" + rq.Region + ")"
		}
		done, err := e.Audit.Has(ctx, run.ID.String(), key)
		if err != nil {
			return err
		}
		if done {
			continue
		}
		why, _ := json.Marshal(map[string]string{"refused": rq.Reason, "alias": rq.Alias, "region": rq.Region})
		err = e.Audit.Record(ctx, AuditRecord{RunID: run.ID, Operator: run.Operator, ChangeRef: run.ChangeRef,
			KeyARN: key, Alias: rq.Alias, Strategy: run.Strategy, Verification: why, Outcome: audit.OutcomeRefused})
		if err != nil {
			return err
		}
	}
	return nil
}
