package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

// Defaults of the waits of resource procedures.
const (
	defaultMigrationPoll    = 15 * time.Second
	defaultMigrationTimeout = 2 * time.Hour
)

// ErrWaitTimeout: a resource did not reach the state a step waits for
// within Engine.MigrationTimeout.
var ErrWaitTimeout = errors.New("timed out waiting")

// WaitError says what a step waited for and what AWS said last.
type WaitError struct {
	What   string
	Waited time.Duration
	Last   string
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("%v for %s after %s (last seen: %s)", ErrWaitTimeout, e.What, e.Waited.Round(time.Second), e.Last)
}

func (e *WaitError) Unwrap() error { return ErrWaitTimeout }

// ErrWritersNotConfirmed: a method with downtime needs the operator to
// confirm the writers are stopped, and nobody did.
var ErrWritersNotConfirmed = errors.New("writers not confirmed stopped")

// ErrMigrationState: the resource is not in a state the method can work
// from (modifying, read replicas, a name taken by something byok did not
// create); the error says which.
var ErrMigrationState = errors.New("resource is not in a state this method can work from")

// waitFor polls check until it reports done, every MigrationPoll, for at
// most MigrationTimeout; what names what it waits for (logged, and in
// the error).
func (j *keyJob) waitFor(ctx context.Context, what string, check func(context.Context) (bool, string, error)) error {
	poll, limit := j.e.MigrationPoll, j.e.MigrationTimeout
	if poll <= 0 {
		poll = defaultMigrationPoll
	}
	if limit <= 0 {
		limit = defaultMigrationTimeout
	}
	start := time.Now()
	j.e.logger().InfoContext(ctx, "waiting", logRun, j.run.ID.String(), logKey, j.rk.KeyARN, logWait, what)
	for {
		done, state, err := check(ctx)
		if err != nil || done {
			return err
		}
		if time.Since(start) >= limit {
			return &WaitError{What: what, Waited: time.Since(start), Last: state}
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// logWait is the log attribute naming what a step waits for.
const logWait = "waiting_for"

// runShort is the run ID as RDS identifiers allow it: lowercase letters
// and digits ("r-20261127T010203Z-3fa9" → "20261127t010203z3fa9").
func runShort(id store.RunID) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(string(id), "r-"), "-", ""))
}

// migName is the name byok gives what it creates or renames for a
// migration of name in run: NAME-byok-ROLE-RUNSHORT. Deterministic, so a
// resumed step finds what the killed one created instead of creating a
// second one.
func migName(name, role string, run store.RunID) string {
	return name + "-byok-" + role + "-" + runShort(run)
}

// maxRDSIdentifier is RDS's limit on instance and cluster identifiers.
const maxRDSIdentifier = 63

// subjectOrErr is the job's subject (resource procedures only).
func (j *keyJob) sub() Subject {
	if j.subject == nil {
		return Subject{}
	}
	return *j.subject
}

// migrationRecord appends the migration's audit entry once per run and
// resource: old and new key, what was checked, how the writers-stopped
// moment was confirmed (from the journal), the step timings.
func (j *keyJob) migrationRecord(ctx context.Context, verification map[string]any) error {
	done, err := j.e.Audit.Has(ctx, j.run.ID.String(), j.rk.KeyARN)
	if err != nil || done {
		return err
	}
	rk, err := j.e.Store.GetRunKey(ctx, j.run.ID, j.rk.KeyARN)
	if err != nil {
		return err
	}
	var v map[string]any
	if len(rk.Verification) > 0 {
		if err := json.Unmarshal(rk.Verification, &v); err != nil {
			return fmt.Errorf("run key verification: %w", err)
		}
	}
	if v == nil {
		v = map[string]any{}
	}
	for k, x := range verification {
		v[k] = x
	}
	if w, at, ok := j.writersStoppedEvent(ctx); ok {
		v["writers_stopped"], v["writers_stopped_at"] = w, at.UTC().Format(time.RFC3339)
	}
	raw, _ := json.Marshal(v) // strings, bools and times always marshal
	return j.e.Audit.Record(ctx, AuditRecord{RunID: j.run.ID, Operator: j.run.Operator, ChangeRef: j.run.ChangeRef,
		KeyARN: j.rk.KeyARN, Alias: j.rk.KeyARN, Strategy: j.proc.strategy.String(), OldMaterialID: rk.OldMaterialID,
		NewMaterialID: rk.NewMaterialID, OldKeyID: rk.OldKeyID, NewKeyID: rk.NewKeyID, Verification: raw, Timings: j.timings})
}

// writersStoppedEvent is how and when the writers-stopped step ended.
func (j *keyJob) writersStoppedEvent(ctx context.Context) (string, time.Time, bool) {
	evs, err := j.e.Store.Journal(ctx, j.run.ID)
	if err != nil {
		return "", time.Time{}, false
	}
	for _, ev := range evs {
		if ev.KeyARN != j.rk.KeyARN || ev.Step != store.StepWritersStopped || ev.Phase != store.PhaseEnd {
			continue
		}
		var d map[string]any
		_ = json.Unmarshal(ev.Detail, &d)
		how, _ := d[noteWritersStopped].(string)
		return how, ev.Time, true
	}
	return "", time.Time{}, false
}

// noteWritersStopped is the journal detail key of the confirmation.
const noteWritersStopped = "writers_stopped"

// writersStopped is the confirmation step of methods with downtime: the
// engine's WritersStopped (the --writers-stopped flag or a prompt) says
// how; without it the run stops, resumable once confirmed.
func (j *keyJob) writersStopped(ctx context.Context) error {
	if j.e.WritersStopped == nil {
		return fmt.Errorf("%s: %w", j.rk.KeyARN, ErrWritersNotConfirmed)
	}
	how, err := j.e.WritersStopped(ctx, j.sub())
	if err != nil {
		return err
	}
	if j.notes == nil {
		j.notes = map[string]string{}
	}
	j.notes[noteWritersStopped] = how
	return nil
}

// saveMigration stores the run key's resource facts: OldMaterialID and
// NewMaterialID hold, for a resource, the original's and the
// replacement's resource IDs (DbiResourceId / DbClusterResourceId), which
// survive renames; OldKeyID the key it was on.
func (j *keyJob) saveMigration(ctx context.Context) error {
	rk := j.rk
	return j.e.Store.UpdateRunKey(ctx, j.run.ID, j.rk.KeyARN, func(k *store.RunKey) error {
		k.OldMaterialID, k.NewMaterialID, k.OldKeyID = rk.OldMaterialID, rk.NewMaterialID, rk.OldKeyID
		k.Verification = rk.Verification
		return nil
	})
}

// loadMigration reads the run key's facts back (a resumed job starts
// from its admission row).
func (j *keyJob) loadMigration(ctx context.Context) error {
	rk, err := j.e.Store.GetRunKey(ctx, j.run.ID, j.rk.KeyARN)
	if err != nil {
		return err
	}
	j.rk.OldMaterialID, j.rk.NewMaterialID, j.rk.OldKeyID = rk.OldMaterialID, rk.NewMaterialID, rk.OldKeyID
	j.rk.Verification = rk.Verification
	return nil
}

// migrationHint is the way out of a failed step of a resource procedure.
func migrationHint(err error, run store.RunID) string {
	var ref *Refusal
	var we *WaitError
	switch {
	case errors.As(err, &ref):
		return ref.Hint
	case errors.Is(err, ErrWritersNotConfirmed):
		return "stop the writers, then: byok migrate resume " + run.String() + " --writers-stopped"
	case errors.Is(err, ErrSwitchLimit):
		return "DynamoDB allows the next key switch at the time it named; then: byok migrate resume " + run.String()
	case errors.As(err, &we):
		return "AWS has not finished; byok migrate resume " + run.String() + " waits again (--wait-timeout for longer waits)"
	case errors.Is(err, ErrVerification):
		return "inspect the resource; byok migrate rollback " + run.String() + " gives the names back to the originals"
	}
	return "fix the cause, then: byok migrate resume " + run.String()
}
