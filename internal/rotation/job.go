package rotation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/store"
)

// keyJob is one key's rotation inside a run. Fields after rk are rebuilt
// on resume by the steps that need them (ensure* helpers).
type keyJob struct {
	e     *Engine
	run   store.Run
	key   estate.Key
	rk    store.RunKey
	kms   KMS
	proc  *procedure
	steps []store.Step // proc's steps for this key

	status  *KeyStatus
	params  keyimport.Params
	obj     *hsm.Object
	wrapped *hsm.Wrapped
	verify  *Verification
	timings map[string]time.Duration
	// retry is the step a crashed or failed process had begun and not
	// ended (StepUnknown when none): only it can have half-happened.
	retry store.Step
	// changeStart is when this process began the first step that changes
	// the key (import or create-key); the watch reads CloudTrail from
	// there (from the run's start after a resume).
	changeStart time.Time
	// subject is the resource of a resource procedure (nil for a key's).
	subject *Subject
	// notes are journaled with the step that sets them (e.g. how the
	// operator confirmed writers stopped); never secrets.
	notes map[string]string
	// trails are the run's CloudTrail watchers the watch step asks (set
	// by runKeys).
	trails *trailWatchers
	// releaseSlot gives the key's rotation slot in its Region back (set
	// by runKeys; idempotent).
	releaseSlot func()
}

// execute runs the remaining steps, journaling each before and after.
func (j *keyJob) execute(ctx context.Context) error {
	start, err := j.resumeIndex(ctx)
	if err != nil {
		return err
	}
	if ctx, err = j.e.withOwnCalls(ctx, j.run.ID, j.rk.KeyARN); err != nil {
		return err
	}
	for _, step := range j.steps[start:] {
		if ctx.Err() != nil {
			return &StoppedError{RunID: j.run.ID}
		}
		if err := j.runStep(ctx, step); err != nil {
			if ctx.Err() != nil && errors.Is(err, context.Canceled) {
				// Ctrl-C between the check above and the journal's read or
				// write: the step did not end, so resume runs it again.
				return &StoppedError{RunID: j.run.ID}
			}
			return err
		}
	}
	return nil
}

// resumeIndex finds the first step to run: after the last ended step, or
// the last begun/failed step again (every step is idempotent).
func (j *keyJob) resumeIndex(ctx context.Context) (int, error) {
	last, ph, err := j.e.Store.LastStep(ctx, j.run.ID, j.rk.KeyARN)
	if err != nil {
		return 0, fmt.Errorf("read journal: %w", err)
	}
	if last == store.StepUnknown {
		return 0, nil
	}
	for i, s := range j.steps {
		if s == last {
			if ph == store.PhaseEnd {
				return i + 1, nil
			}
			j.retry = s
			return i, nil
		}
	}
	return 0, fmt.Errorf("journal step %s is not a step of this strategy: %w", last, store.ErrInvalid)
}

func (j *keyJob) runStep(ctx context.Context, step store.Step) error {
	if err := j.guard(ctx, step); err != nil {
		return err
	}
	j.failpoint(step, "before")
	if err := j.e.Store.BeginStep(ctx, j.run.ID, j.rk.KeyARN, step, j.detail()); err != nil {
		return fmt.Errorf("journal begin %s: %w", step, err)
	}
	j.e.progress(j, step, store.PhaseBegin, nil)
	t0 := time.Now()
	if (step == store.StepImport || step == store.StepCreateKey) && j.retry == store.StepUnknown {
		j.changeStart = t0.Add(-time.Second)
	}
	err := j.do(ctx, step)
	j.timings[step.String()] += time.Since(t0)
	if err != nil {
		return j.fail(ctx, step, err)
	}
	j.failpoint(step, "unrecorded")
	if step == store.StepDone {
		if err := j.e.Store.ReleaseKeyLock(ctx, j.rk.KeyARN, j.run.ID); err != nil {
			return j.fail(ctx, step, err)
		}
		j.e.sharedRelease(ctx, j.rk.KeyARN, j.run.ID)
	}
	if err := j.e.Store.EndStep(ctx, j.run.ID, j.rk.KeyARN, step, j.detail()); err != nil {
		return fmt.Errorf("journal end %s: %w", step, err)
	}
	j.e.progress(j, step, store.PhaseEnd, nil)
	j.e.logger().InfoContext(ctx, "step done", logRun, j.run.ID.String(), logKey, j.rk.KeyARN, logStep, step.String())
	j.failpoint(step, "after")
	return nil
}

func (j *keyJob) fail(ctx context.Context, step store.Step, err error) error {
	if errors.Is(err, context.Canceled) {
		return &StoppedError{RunID: j.run.ID}
	}
	hint := hintFor(err, j.run.ID)
	if j.proc.resource {
		hint = migrationHint(err, j.run.ID)
	}
	kf := &KeyFailure{KeyARN: j.rk.KeyARN, Step: step, Err: err, Hint: hint}
	if jerr := j.e.Store.FailStep(context.WithoutCancel(ctx), j.run.ID, j.rk.KeyARN, step, kf.Error(), j.detail()); jerr != nil {
		return errors.Join(kf, jerr)
	}
	j.e.progress(j, step, store.PhaseFail, kf)
	return kf
}

// detail is the journaled state after a step: IDs and digests, never
// material, PINs or import tokens.
func (j *keyJob) detail() map[string]any {
	d := map[string]any{
		"old_material_id": j.rk.OldMaterialID, "new_material_id": j.rk.NewMaterialID,
		"blob_sha256": j.rk.BlobSHA256, "hsm_label": j.rk.HSMLabel,
		"old_key_id": j.rk.OldKeyID, "new_key_id": j.rk.NewKeyID,
	}
	for k, v := range j.notes {
		d[k] = v
	}
	return d
}

func (j *keyJob) save(ctx context.Context) error {
	rk := j.rk
	return j.e.Store.UpdateRunKey(ctx, j.run.ID, j.rk.KeyARN, func(k *store.RunKey) error {
		k.HSMLabel, k.BlobSHA256 = rk.HSMLabel, rk.BlobSHA256
		// The import token and its public key stay in memory only: a state
		// file never holds an import token. A resumed run fetches new
		// parameters and wraps the same HSM object again.
		k.ImportToken, k.PublicKey, k.ParametersValidTo = nil, nil, rk.ParametersValidTo
		k.OldMaterialID, k.NewMaterialID = rk.OldMaterialID, rk.NewMaterialID
		k.OldKeyID, k.NewKeyID = rk.OldKeyID, rk.NewKeyID
		k.Verification = rk.Verification
		return nil
	})
}

// guard checks the move from the key's last journaled step to step
// against the procedure's table: the one place transitions are judged.
func (j *keyJob) guard(ctx context.Context, step store.Step) error {
	last, ph, err := j.e.Store.LastStep(ctx, j.run.ID, j.rk.KeyARN)
	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	if err := j.proc.check(last, ph, step); err != nil {
		return &KeyFailure{KeyARN: j.rk.KeyARN, Step: step, Err: err,
			Hint: "the journal of this key does not match its strategy's steps; report it with: byok runs show " + j.run.ID.String()}
	}
	return nil
}

// do runs step's action from the procedure's table.
func (j *keyJob) do(ctx context.Context, step store.Step) error {
	d, ok := j.proc.def(step)
	if !ok {
		return &TransitionError{Strategy: j.proc.strategy, To: step}
	}
	return d.do(j, ctx)
}

// done is the action of the last step: the key's lock is released by the
// runner when done ends.
func (j *keyJob) done(context.Context) error { return nil }
