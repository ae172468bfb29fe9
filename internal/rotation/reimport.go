package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/store"
)

// StrategyReimport is the name of a re-import run's strategy, in the
// store and the audit log.
var StrategyReimport = Reimport.String()

// ErrMaterialGone means the key no longer lists the material to re-import.
var ErrMaterialGone = errors.New("key no longer has the material")

// ErrNotByokMaterial means the material's description is not a byok run
// ID, so byok cannot know which HSM object holds it.
var ErrNotByokMaterial = errors.New("material was not imported by byok")

// ReimportError is the failed re-import of one material, with the step it
// stopped at and a hint.
type ReimportError struct {
	Alias      string
	MaterialID string
	RunID      store.RunID
	Step       store.Step // StepUnknown when the material was refused before its run began
	Err        error
	Hint       string
}

func (e *ReimportError) Error() string {
	s := fmt.Sprintf("re-import %s material %s", e.Alias, e.MaterialID)
	if e.RunID != "" {
		s += " (run " + e.RunID.String() + ")"
	}
	if e.Step != store.StepUnknown {
		s += ": step " + e.Step.String()
	}
	return fmt.Sprintf("%s: %v (hint: %s)", s, e.Err, e.Hint)
}

func (e *ReimportError) Unwrap() error { return e.Err }

// ReimportResult is one material re-imported without expiry.
type ReimportResult struct {
	RunID      store.RunID
	Alias      string
	KeyARN     string
	MaterialID string
	BlobSHA256 string // of the primary's wrapped blob ("" when nothing was imported)
	// AlreadyDone: KMS already showed no ValidTo when the run planned (an
	// earlier re-import got there first), so only verify and record ran.
	AlreadyDone  bool
	Verification ReimportVerification
}

// Reimport re-imports without expiry every expiring material of plans
// that byok imported: ImportType EXISTING_KEY_MATERIAL, KeyMaterialId
// unchanged, from the HSM object that holds it, into every replica first
// and the primary last; then it verifies from every account and appends
// one audit entry per material.
//
// It is a journaled run (strategy reimport) through the same machinery as
// a rotation: one run key per key, each step journaled before and after,
// the key locked for the run, resumable with Resume (byok resume RUN).
// A key with several such materials gets one run per material, one after
// the other (a run key holds one material). It returns the first run's
// ID ("" when nothing was started), the materials done and the errors,
// each a *ReimportError. Materials byok did not import are not touched;
// the plan reports them with what the operator must do.
func (e *Engine) Reimport(ctx context.Context, plans []Plan, changeRef string) (store.RunID, []ReimportResult, error) {
	var (
		first store.RunID
		out   []ReimportResult
		errs  []error
	)
	for round := 0; ; round++ {
		items := reimportRound(plans, round)
		if len(items) == 0 || ctx.Err() != nil {
			break
		}
		id, res, err := e.reimportRun(ctx, items, changeRef)
		if first == "" {
			first = id
		}
		out = append(out, res...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return first, out, errors.Join(errs...)
}

// reimportItem is one material of one key to re-import.
type reimportItem struct {
	plan     Plan
	material ExpiringMaterial
}

// reimportRound is the round-th re-importable material of each plan.
func reimportRound(plans []Plan, round int) []reimportItem {
	var out []reimportItem
	for _, p := range plans {
		n := 0
		for _, m := range p.Expiring {
			if !m.Reimportable() {
				continue
			}
			if n == round {
				out = append(out, reimportItem{plan: p, material: m})
				break
			}
			n++
		}
	}
	return out
}

// reimportRun records one run for items with its whole request (each
// key and the material to re-import, pending) in one transaction, admits
// and runs the keys concurrently and returns what each key achieved.
func (e *Engine) reimportRun(ctx context.Context, items []reimportItem, changeRef string) (store.RunID, []ReimportResult, error) {
	run := store.Run{Strategy: StrategyReimport, ChangeRef: changeRef,
		Operator: e.Operator, Status: store.StatusRunning, Created: time.Now()}
	var rq []store.RequestKey
	var pending []pendingKey
	var plans []Plan
	for _, it := range items {
		r := store.RequestKey{Alias: it.plan.Key.Alias, Region: it.plan.Key.Region, MaterialID: it.material.ID,
			HSMLabel: it.material.HSMLabel, Strategy: StrategyReimport}
		rq = append(rq, r)
		pending = append(pending, pendingKey{key: it.plan.Key, rq: r})
		plans = append(plans, it.plan)
	}
	if err := e.createRun(ctx, &run, rq); err != nil {
		return "", nil, err
	}
	e.failpointAt("request:after")
	ctx, release, err := e.hold(ctx, run.ID)
	if err != nil {
		return run.ID, nil, err
	}
	defer release()
	a := &admission{e: e, run: run, plans: plans}
	runErr := a.runAll(ctx, pending, nil)
	res, rerr := e.reimportResults(context.WithoutCancel(ctx), run.ID)
	return run.ID, res, errors.Join(reimportErrors(runErr, run.ID, items), rerr)
}

// reimportResults reads the re-import run keys of run id that reached done.
func (e *Engine) reimportResults(ctx context.Context, id store.RunID) ([]ReimportResult, error) {
	rks, err := e.Store.ListRunKeys(ctx, id)
	if err != nil {
		return nil, err
	}
	rqs, err := e.Store.ListRequestKeys(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []ReimportResult
	for _, rk := range rks {
		if rk.Strategy != StrategyReimport {
			continue
		}
		step, ph, err := e.Store.LastStep(ctx, id, rk.KeyARN)
		if err != nil {
			return out, err
		}
		if step != store.StepDone || ph != store.PhaseEnd {
			continue
		}
		r := ReimportResult{RunID: id, KeyARN: rk.KeyARN, MaterialID: rk.NewMaterialID, Alias: requestAliasOf(rqs, rk.KeyARN),
			BlobSHA256: rk.BlobSHA256, AlreadyDone: rk.BlobSHA256 == ""}
		if err := json.Unmarshal(rk.Verification, &r.Verification); err != nil {
			return out, fmt.Errorf("run %s key %s: verification: %w", id, rk.KeyARN, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func requestAliasOf(rqs []store.RequestKey, keyARN string) string {
	for _, rq := range rqs {
		if rq.KeyARN == keyARN {
			return rq.Alias
		}
	}
	return ""
}

// reimportErrors turns each key's *KeyFailure into a *ReimportError
// naming the material; other errors (a stop) pass through.
func reimportErrors(err error, id store.RunID, items []reimportItem) error {
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var out []error
	for _, e := range errs {
		var kf *KeyFailure
		if !errors.As(e, &kf) {
			out = append(out, e)
			continue
		}
		re := &ReimportError{RunID: id, Step: kf.Step, Err: kf.Err, Hint: kf.Hint}
		if it, ok := itemFor(items, kf.KeyARN); ok {
			re.Alias, re.MaterialID = it.plan.Key.Alias, it.material.ID
		}
		out = append(out, re)
	}
	return errors.Join(out...)
}

func itemFor(items []reimportItem, keyARN string) (reimportItem, bool) {
	for _, it := range items {
		if it.plan.Status.ARN == keyARN {
			return it, true
		}
	}
	return reimportItem{}, false
}
