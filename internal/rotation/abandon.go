package rotation

import (
	"context"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/store"
)

// ErrAbandonRefused: KMS still holds something of the run that abandoning
// would strand (see AbandonRefusal).
var ErrAbandonRefused = errors.New("run cannot be abandoned")

// ErrNoReason: abandoning needs a reason for the audit log.
var ErrNoReason = errors.New("give the reason (--reason) for the audit log")

// AbandonRefusal names what is pending in KMS and what to do first.
type AbandonRefusal struct {
	KeyARN string
	Why    string
	Hint   string
}

func (r *AbandonRefusal) Error() string {
	return fmt.Sprintf("%s: %s (hint: %s)", r.KeyARN, r.Why, r.Hint)
}

func (r *AbandonRefusal) Unwrap() error { return ErrAbandonRefused }

// AbandonReport says what abandoning the run does (or, dry, would do).
type AbandonReport struct {
	RunID store.RunID
	// Unfinished are the run keys that did not reach done, with their step.
	Unfinished []AbandonedKey
	// NotAdmitted are requested keys no process admitted.
	NotAdmitted []store.RequestKey
}

// AbandonedKey is one unfinished key of an abandoned run.
type AbandonedKey struct {
	KeyARN string
	Step   string
	// StrayKey is a key the run created (new-key) that no alias targets; it
	// is left as it is (byok never schedules deletion) and named here.
	StrayKey string
}

// Abandon ends a stopped run for good and releases its key locks, for a
// run that cannot be resumed (its HSM object is lost). It first checks,
// per unfinished key, that KMS holds nothing of the run that would be
// stranded: no material the run imported still pending rotation, and no
// alias pointing at a key the run created that cannot encrypt. It appends
// an audit entry (outcome failed, the reason) per unfinished key, then
// marks the run failed in one transaction. dry only reports.
func (e *Engine) Abandon(ctx context.Context, id store.RunID, reason string, dry bool) (AbandonReport, error) {
	rep := AbandonReport{RunID: id}
	if reason == "" {
		return rep, ErrNoReason
	}
	run, err := e.Store.GetRun(ctx, id)
	if err != nil {
		return rep, err
	}
	if run.Status.Finished() {
		return rep, fmt.Errorf("run %s already ended %s: %w", id, run.Status, store.ErrInvalid)
	}
	if !dry {
		_, release, err := e.hold(ctx, id) // refused while another process works on the run
		if err != nil {
			return rep, err
		}
		defer release()
	}
	if rep, err = e.abandonReport(ctx, run); err != nil || dry {
		return rep, err
	}
	for _, k := range rep.Unfinished {
		if err := e.auditAbandoned(ctx, run, k, reason); err != nil {
			return rep, err
		}
	}
	return rep, e.Store.AbandonRun(ctx, id, "abandoned by "+e.Operator+": "+reason)
}

// abandonReport lists the unfinished keys, checking each against KMS.
func (e *Engine) abandonReport(ctx context.Context, run store.Run) (AbandonReport, error) {
	rep := AbandonReport{RunID: run.ID}
	rks, err := e.Store.ListRunKeys(ctx, run.ID)
	if err != nil {
		return rep, err
	}
	var refusals []error
	for _, rk := range rks {
		step, ph, err := e.Store.LastStep(ctx, run.ID, rk.KeyARN)
		if err != nil {
			return rep, err
		}
		if step == store.StepDone && ph == store.PhaseEnd {
			continue
		}
		ak, err := e.checkAbandonable(ctx, run, rk)
		if err != nil {
			refusals = append(refusals, err)
			continue
		}
		ak.Step = "not started"
		if step != store.StepUnknown {
			ak.Step = step.String() + " (" + ph.String() + ")"
		}
		rep.Unfinished = append(rep.Unfinished, ak)
	}
	rqs, err := e.Store.ListRequestKeys(ctx, run.ID)
	if err != nil {
		return rep, err
	}
	rep.NotAdmitted = byAdmission(rqs, store.AdmissionPending)
	return rep, errors.Join(refusals...)
}
