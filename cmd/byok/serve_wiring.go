package main

// serve_wiring.go adapts today's rotation engine, scanner, state store and
// audit log to the narrow interfaces of package serve (Planner, Scanner,
// Rotator, Reader). It is the one file to adapt when those packages change.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/scan"
	"github.com/byok-dev/byok/internal/serve"
	"github.com/byok-dev/byok/internal/serve/view"
	"github.com/byok-dev/byok/internal/store"
)

// serveChangeRef prefixes the change reference of every run the service
// starts, so that ResumeStopped finds its own runs (and an auditor sees
// who started them).
const serveChangeRef = "byok serve"

// snsVia publishes through the wiring's current AWS clients (rebuilt after
// a clock jump), in the Security account and the topic's Region.
type snsVia struct {
	w      *serveWiring
	region string
}

func (s snsVia) Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error) {
	cfg := awsx.WithRegion(s.w.awsNow().Accounts().For(s.w.env.est.SecurityAccount), s.region)
	return sns.NewFromConfig(cfg).Publish(ctx, in, opts...)
}

// serveWiring implements serve.Planner, Scanner, Rotator and Reader.
type serveWiring struct {
	env    *rotationEnv
	flags  rotationFlags
	source string
	stderr io.Writer
	log    *audit.Log

	hsmMu  sync.Mutex
	hsmErr error

	mu      sync.Mutex
	aliases map[string]string // key ARN → alias, from the last plan
	points  map[int64]view.ScanPoint
	offset  *time.Duration // service clock − real time at the last call
}

// clockJumpLimit: when the service's clock moves against real time by more
// than this (the sandbox admin clock, a VM resumed), cached STS session
// credentials may be expired by that clock; the AWS clients start over.
const clockJumpLimit = time.Minute

// checkJump rebuilds the AWS clients after a clock jump.
func (w *serveWiring) checkJump(ctx context.Context, now time.Time) error {
	off := now.Sub(time.Now())
	w.mu.Lock()
	prev := w.offset
	w.offset = &off
	w.mu.Unlock()
	if prev == nil || (off-*prev).Abs() < clockJumpLimit {
		return nil
	}
	ae, err := newAWSEnv(ctx, w.env.est)
	if err != nil {
		return err
	}
	w.mu.Lock()
	old := w.env.aws
	w.env.aws, w.env.engine.Clients = ae, ae.Rotation()
	w.mu.Unlock()
	old.Close()
	return nil
}

// awsNow is the current AWS environment.
func (w *serveWiring) awsNow() *awsEnv {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.env.aws
}

func newServeWiring(ctx context.Context, f rotationFlags, stderr io.Writer) (*serveWiring, error) {
	f.stateMode = store.ModeCreate // serve rotates on its schedule: it starts work
	env, err := openRotation(ctx, f, false, stderr)
	if err != nil {
		return nil, err
	}
	log, err := audit.Open(ctx, env.store)
	if err != nil {
		_ = env.Close()
		return nil, err
	}
	_, source, _ := resolveEstateForAWS(*f.estateFile, io.Discard)
	return &serveWiring{env: env, flags: f, source: source, stderr: stderr, log: log,
		aliases: map[string]string{}, points: map[int64]view.ScanPoint{}}, nil
}

func (w *serveWiring) Close() error { return w.env.Close() }

// Plan implements serve.Planner: PlanKeys, then Decide again at now (the
// service's clock), so due and expiring follow that clock.
func (w *serveWiring) Plan(ctx context.Context, now time.Time) ([]view.Key, error) {
	if err := w.checkJump(ctx, now); err != nil {
		return nil, err
	}
	plans, err := w.plans(ctx, w.env.est.Keys(), now)
	if err != nil {
		return nil, err
	}
	out := make([]view.Key, 0, len(plans))
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range plans {
		w.aliases[p.Status.ARN] = p.Key.Alias
		out = append(out, keyView(p, w.env.est.Policy))
	}
	return out, nil
}

func (w *serveWiring) plans(ctx context.Context, keys []estate.Key, now time.Time) ([]rotation.Plan, error) {
	plans, err := w.env.engine.PlanKeys(ctx, keys, w.env.est.Policy.Strategy)
	if err != nil {
		return nil, err
	}
	for i, p := range plans {
		plans[i] = rotation.Decide(p.Key, p.Status, w.env.est.Policy, p.Strategy, "", now)
	}
	return plans, nil
}

func keyView(p rotation.Plan, pol estate.Policy) view.Key {
	k := view.Key{Alias: p.Key.Alias, Env: p.Key.Env, Service: string(p.Key.Service), Region: p.Key.Region, ARN: p.Status.ARN,
		CurrentSince: p.Status.CurrentSince, MaxAge: pol.MaxMaterialAge, EarliestValidTo: p.Status.EarliestValidTo(),
		RotationsUsed: p.Status.OnDemandRotations, Due: p.Due, Why: p.Why}
	if p.Refused != nil {
		k.Refused = p.Refused.Err.Error() + " (" + p.Refused.Hint + ")"
	}
	for _, m := range p.Expiring {
		remedy := m.Hint(p.Key.Alias)
		k.Expiring = append(k.Expiring, view.Expiring{MaterialID: m.ID, State: string(m.State), ValidTo: m.ValidTo, Remedy: remedy})
	}
	return k
}

// Scan implements serve.Scanner: a complete scan is saved and diffed
// against the previous saved scan; an incomplete one is an error.
func (w *serveWiring) Scan(ctx context.Context, now time.Time) (serve.ScanResult, error) {
	if err := w.checkJump(ctx, now); err != nil {
		return serve.ScanResult{}, err
	}
	ae := w.awsNow()
	rep, err := scan.Run(ctx, w.env.est, scan.Deps{Inventory: ae.Inventory(), KMS: ae.KeyFacts(), Pace: ae.Pace()},
		scan.Options{Now: now, Source: w.source})
	if err != nil {
		return serve.ScanResult{}, err
	}
	if n := len(rep.Meta.Errors); n > 0 {
		e := rep.Meta.Errors[0]
		return serve.ScanResult{}, fmt.Errorf("scan incomplete (%d listings failed, e.g. %s %s %s: %s); not saved", n, e.Account, e.Region, e.Service, e.Message)
	}
	if _, err := w.env.store.SaveScan(ctx, rep.Meta.ScanTime, findingsOf(rep.Results)); err != nil {
		return serve.ScanResult{}, err
	}
	res := serve.ScanResult{Report: rep}
	d, err := w.env.store.DiffLatest(ctx)
	if errors.Is(err, store.ErrNoPreviousScan) {
		return res, nil
	}
	if err != nil {
		return res, err
	}
	for _, c := range d.NewlyNonCompliant {
		res.NewNonCompliant = append(res.NewNonCompliant, serveFindingLabel(c.After))
	}
	for _, f := range d.Appeared {
		if f.Verdict == compliance.NonCompliant.String() {
			res.NewNonCompliant = append(res.NewNonCompliant, serveFindingLabel(f))
		}
	}
	return res, nil
}

func serveFindingLabel(f store.Finding) string {
	return fmt.Sprintf("%s %s (%s %s): %s", f.ResourceType, f.Name, f.Account, f.Region, f.Reason)
}

// session opens the HSM and the operator identity on first use (the
// service starts and serves even when the HSM is away).
func (w *serveWiring) session(ctx context.Context) error {
	w.hsmMu.Lock()
	defer w.hsmMu.Unlock()
	if w.env.hsm != nil {
		return nil
	}
	if err := w.env.openHSM(ctx, w.flags, w.stderr); err != nil {
		return fmt.Errorf("open the HSM: %w", err)
	}
	op, err := awsx.CallerARN(ctx, w.awsNow().Accounts().For(w.env.est.SecurityAccount))
	if err != nil {
		return err
	}
	w.env.engine.Operator = op
	return nil
}

// RotateDue implements serve.Rotator (byok rotate --due, in a window).
func (w *serveWiring) RotateDue(ctx context.Context, now time.Time) (serve.RotateResult, error) {
	if err := w.checkJump(ctx, now); err != nil {
		return serve.RotateResult{}, err
	}
	plans, err := w.plans(ctx, w.env.est.Keys(), now)
	if err != nil {
		return serve.RotateResult{}, err
	}
	if work := rotation.Summarize(plans, rotation.Selector{Due: true}); work.Rotations+work.Reimports == 0 {
		return serve.RotateResult{}, nil
	}
	if err := w.session(ctx); err != nil {
		return serve.RotateResult{}, err
	}
	return w.rotate(ctx, w.env.est.Keys(), plans, rotation.Selector{Due: true}, serveChangeRef+": rotation window "+now.UTC().Format(time.RFC3339))
}

// rotate hands the keys, their fresh plans and the selector to the engine,
// which decides each key (re-import, rotation, skipped) and runs them as
// one run; no run when nothing is due.
func (w *serveWiring) rotate(ctx context.Context, keys []estate.Key, plans []rotation.Plan, sel rotation.Selector, ref string) (serve.RotateResult, error) {
	out := w.env.engine.Execute(ctx, rotation.Request{Keys: keys, Strategy: w.env.est.Policy.Strategy, ChangeRef: ref,
		Plans: plans, Selector: sel})
	var res serve.RotateResult
	if out.Run == "" {
		return res, out.Err
	}
	res.RunIDs = append(res.RunIDs, string(out.Run))
	done, err := doneAliases(context.WithoutCancel(ctx), w.env.store, out.Run)
	res.Rotated = done
	return res, errors.Join(out.Err, err)
}

// doneAliases are the requested keys of run id that reached done.
func doneAliases(ctx context.Context, st *store.Store, id store.RunID) ([]string, error) {
	rqs, err := st.ListRequestKeys(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rq := range rqs {
		if rq.Admission != store.AdmissionAdmitted {
			continue
		}
		step, ph, err := st.LastStep(ctx, id, rq.KeyARN)
		if err != nil {
			return out, err
		}
		if step == store.StepDone && ph == store.PhaseEnd {
			out = append(out, rq.Alias)
		}
	}
	return out, nil
}

// RotateKey implements serve.Rotator: one key, only when due.
func (w *serveWiring) RotateKey(ctx context.Context, alias, requestedBy string, now time.Time) (serve.RotateResult, error) {
	var keys []estate.Key
	for _, k := range w.env.est.Keys() {
		if k.Alias == alias {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return serve.RotateResult{}, fmt.Errorf("%s is not an estate key", alias)
	}
	if err := w.checkJump(ctx, now); err != nil {
		return serve.RotateResult{}, err
	}
	plans, err := w.plans(ctx, keys, now)
	if err != nil {
		return serve.RotateResult{}, err
	}
	if rotation.Summarize(plans, rotation.Selector{Due: true}).Rotations == 0 {
		return serve.RotateResult{}, fmt.Errorf("%s is not due (its material is younger than the policy's maximum age); byok rotate --key %s rotates it anyway", alias, alias)
	}
	if err := w.session(ctx); err != nil {
		return serve.RotateResult{}, err
	}
	return w.rotate(ctx, keys, plans, rotation.Selector{Due: true, Key: alias}, serveChangeRef+": requested by "+requestedBy)
}

// ResumeStopped implements serve.Rotator.
func (w *serveWiring) ResumeStopped(ctx context.Context) ([]string, error) {
	runs, err := w.env.store.ListRuns(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	var errs []error
	for _, r := range runs {
		if !strings.HasPrefix(r.ChangeRef, serveChangeRef) || (r.Status != store.StatusStopped && r.Status != store.StatusRunning) {
			continue
		}
		if err := w.session(ctx); err != nil {
			return ids, err
		}
		ids = append(ids, string(r.ID))
		errs = append(errs, w.env.engine.Resume(ctx, r.ID))
	}
	return ids, errors.Join(errs...)
}
