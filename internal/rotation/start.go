package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// Request is one `byok rotate`: every key the operator's selection chose,
// and the selection itself. The engine decides which of them it rotates
// (with Selector.Due, only the due ones) and records why it refused or
// skipped each other one.
type Request struct {
	Keys      []estate.Key
	Selector  Selector
	Strategy  estate.Strategy
	ChangeRef string
	// Plans, when set, are PlanKeys results for Keys from moments ago (the
	// CLI shows them before asking); admission then does not inspect a key
	// whose plan is fresh again.
	Plans []Plan
}

// Selector is how the operator chose a request's keys. It is recorded with
// the run (JSON) so that a resume admits the keys still pending by the
// same rule.
type Selector struct {
	// Due: rotate only the keys whose current material is overdue; the
	// others are skipped with the reason.
	Due     bool   `json:"due,omitempty"`
	Env     string `json:"env,omitempty"`
	Service string `json:"service,omitempty"`
	Key     string `json:"key,omitempty"`
	// Retire are a retire request's options (nil otherwise).
	Retire *RetireOptions `json:"retire,omitempty"`
	// ValidTo is the expiry a byok import gives the material it imports
	// (nil: none). Recorded with the run so a resume imports with the
	// same absolute expiry.
	ValidTo *time.Time `json:"valid_to,omitempty"`
}

func (s Selector) encode() string {
	b, _ := json.Marshal(s) // strings, a bool and a time always marshal
	return string(b)
}

func decodeSelector(run store.Run) (Selector, error) {
	var s Selector
	if run.Selector == "" {
		return s, nil
	}
	if err := json.Unmarshal([]byte(run.Selector), &s); err != nil {
		return s, fmt.Errorf("run %s selector: %w", run.ID, err)
	}
	return s, nil
}

// planFresh is how long a plan's KeyStatus may stand in for the plan step's
// own inspection.
const planFresh = 30 * time.Second

// ErrEmptyRequest: a rotation was asked for no key.
var ErrEmptyRequest = errors.New("no key requested")

// PlanKeys inspects each key through its alias in the Security account and
// decides what a rotation would do. It changes nothing.
func (e *Engine) PlanKeys(ctx context.Context, keys []estate.Key, strategy estate.Strategy) ([]Plan, error) {
	var plans []Plan
	for _, k := range keys {
		p, err := e.planKey(ctx, k, strategy)
		if err != nil {
			return plans, err
		}
		plans = append(plans, p)
	}
	return plans, nil
}

func (e *Engine) planKey(ctx context.Context, k estate.Key, strategy estate.Strategy) (Plan, error) {
	if !e.inEstate(k) {
		return Plan{}, &Refusal{KeyARN: k.AliasARN(), Err: ErrKeyNotInEstate,
			Hint: "byok rotates only the keys the estate file describes (byok estate show lists them)"}
	}
	st, err := Inspect(ctx, e.securityKMS(k.Region), k.AliasARN())
	if p, missing := AliasMissing(k, strategy, err, time.Now()); missing {
		return p, nil
	}
	if err != nil {
		return Plan{}, fmt.Errorf("plan %s: %w", k.Alias, err)
	}
	return Decide(k, st, e.Estate.Policy, strategy, "", time.Now()), nil
}

func (e *Engine) inEstate(k estate.Key) bool {
	for _, ek := range e.Estate.Keys() {
		if ek.Alias == k.Alias && ek.Region == k.Region && ek.Account == k.Account {
			return true
		}
	}
	return false
}

// Start records the run and its whole request (every key, pending) in one
// transaction before any other work, then plans and admits each key and
// starts it as soon as it is admitted, so that planning (ListKeyRotations:
// 5 per second) overlaps the quota-bound import work of the keys before
// it. Every key follows req.Strategy (Execute decides a strategy per key
// first). A process killed at any moment leaves either no run or the whole
// request: Resume admits what is still pending. The run ends succeeded
// only when every requested key is done or skipped; partial when some
// were refused (the error names them).
func (e *Engine) Start(ctx context.Context, req Request) (store.RunID, error) {
	if len(req.Keys) == 0 {
		return "", ErrEmptyRequest
	}
	s, err := ParseStrategy(string(req.Strategy))
	if err != nil {
		return "", err
	}
	p := Prepared{Selector: req.Selector, Strategy: req.Strategy, ChangeRef: req.ChangeRef}
	for _, k := range req.Keys {
		p.Items = append(p.Items, Item{Key: k, Strategy: s, Admission: store.AdmissionPending})
	}
	return e.StartPrepared(ctx, p, req.Plans)
}

// StartPrepared records the run with the prepared items as its request
// (each with its strategy) in one transaction, then admits and runs them.
// plans are fresh plans admission may reuse.
func (e *Engine) StartPrepared(ctx context.Context, p Prepared, plans []Plan) (store.RunID, error) {
	if len(p.Items) == 0 {
		return "", ErrEmptyRequest
	}
	if _, err := e.CheckWatchSource(ctx, p.Items); err != nil {
		return "", err // nothing recorded: the run would end unable to watch
	}
	run := store.Run{Strategy: p.runStrategy(), ChangeRef: p.ChangeRef,
		Operator: e.Operator, Status: store.StatusRunning, Created: time.Now(), Selector: p.Selector.encode(), Target: p.Target}
	rq := requestKeys(p.Items)
	if err := e.createRun(ctx, &run, rq); err != nil {
		return "", err
	}
	e.failpointAt("request:after")
	ctx, release, err := e.hold(ctx, run.ID)
	if err != nil {
		return run.ID, err
	}
	defer release()
	var pending []pendingKey
	for i, it := range p.Items {
		pending = append(pending, pendingKey{key: it.Key, rq: rq[i]})
		if it.Plan != nil {
			plans = append(plans, *it.Plan)
		}
	}
	a := &admission{e: e, run: run, due: p.Selector.Due, plans: plans}
	return run.ID, a.runAll(ctx, pending, nil)
}
