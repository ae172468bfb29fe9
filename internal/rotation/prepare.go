package rotation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// Item is one requested key as the engine decides it before a run: the
// procedure it follows, what admission will say and the steps it runs.
// A dry run prints the items; Execute journals exactly these as the
// run's request, so both come from this one decision.
type Item struct {
	Key      estate.Key
	KeyARN   string // the key the alias targets ("" when unresolved)
	Strategy Strategy
	// MaterialID and HSMLabel: the material a re-import brings back.
	MaterialID string
	HSMLabel   string
	// NewKeyID: the key a rollback moves the alias away from.
	NewKeyID string
	// Admission is what admission will decide from the same facts:
	// Admitted (it runs Steps), Skipped or Refused (Reason says why), or
	// Pending (its facts could not be read: admission reads them again).
	Admission store.Admission
	Reason    string
	// Note is what the run leaves for later on an admitted key (e.g. a key
	// re-imported by this run that is also due for a rotation).
	Note  string
	Steps []store.Step
	Plan  *Plan // the plan the decision came from (nil for a rollback)
	// Subject is the resource of a resource procedure (a migration); Key
	// is then its stand-in (Alias = the resource ARN).
	Subject *Subject
}

// Prepared is a whole request decided: the selection and every key.
type Prepared struct {
	Selector  Selector
	Strategy  estate.Strategy // the rotation strategy of the request
	ChangeRef string
	Items     []Item
	// Target is the run a rollback undoes ("" otherwise).
	Target store.RunID
}

// runStrategy names the run's procedures for runs list: the strategies of
// the items that run, in order, joined by "+" (the request's strategy when
// none runs). Each key's own strategy is in its request and run key.
func (p Prepared) runStrategy() string {
	var names []string
	for _, it := range p.Items {
		if (it.Admission == store.AdmissionAdmitted || it.Admission == store.AdmissionPending) && !slices.Contains(names, it.Strategy.String()) {
			names = append(names, it.Strategy.String())
		}
	}
	if len(names) == 0 {
		return string(p.Strategy)
	}
	return strings.Join(names, "+")
}

// Runs reports how many items would run steps.
func (p Prepared) Runs() int {
	n := 0
	for _, it := range p.Items {
		if it.Admission == store.AdmissionAdmitted || it.Admission == store.AdmissionPending {
			n++
		}
	}
	return n
}

// Prepare decides a rotation request from fresh plans (req.Plans when
// they are fresh, else it reads each key): with Selector.Due a key with
// expiring material byok imported follows the reimport procedure (a
// rotation would not help: the old material keeps its ValidTo), a due key
// the request's rotation strategy, any other key is skipped; without Due
// every key is rotated. Refusals come from the plan. It changes nothing.
func (e *Engine) Prepare(ctx context.Context, req Request) (Prepared, error) {
	if len(req.Keys) == 0 {
		return Prepared{}, ErrEmptyRequest
	}
	rot, err := ParseStrategy(string(req.Strategy))
	if err != nil || (rot != InPlace && rot != NewKey) {
		return Prepared{}, fmt.Errorf("request strategy %q: %w (want in-place or new-key)", req.Strategy, ErrUnknownStrategy)
	}
	out := Prepared{Selector: req.Selector, Strategy: req.Strategy, ChangeRef: req.ChangeRef}
	for _, k := range req.Keys {
		out.Items = append(out.Items, e.prepareKey(ctx, k, rot, req))
	}
	return out, nil
}

func (e *Engine) prepareKey(ctx context.Context, k estate.Key, rot Strategy, req Request) Item {
	it := Item{Key: k, Strategy: rot, Admission: store.AdmissionAdmitted}
	p, err := freshPlan(req.Plans, k)
	if err != nil {
		p, err = e.planKey(ctx, k, req.Strategy)
	}
	if err != nil && !permanent(err) {
		it.Admission, it.Reason = store.AdmissionPending, "not planned yet: "+err.Error()
		return it
	}
	it.Plan, it.KeyARN = &p, p.Status.ARN
	if err == nil && p.Refused != nil {
		err = p.Refused
	}
	if m, ok := firstReimportable(p); ok && req.Selector.Due {
		// A key whose material expired is not Enabled: its plan refuses a
		// rotation, and the re-import is what it needs.
		return asReimport(it, p, m)
	}
	switch {
	case err != nil:
		it.Admission, it.Reason = store.AdmissionRefused, err.Error()
	case req.Selector.Due && !p.Due:
		it.Admission, it.Reason = store.AdmissionSkipped, errNotDue.Error()
	default:
		it.Steps = Steps(rot, len(k.Replicas) > 0)
	}
	return it
}

// asReimport makes it a re-import of m; a key that also needs a
// rotation, or has more expiring material, gets a note: one procedure per
// key per run, the next byok rotate --due does the rest.
func asReimport(it Item, p Plan, m ExpiringMaterial) Item {
	it.Strategy, it.MaterialID, it.HSMLabel = Reimport, m.ID, m.HSMLabel
	it.Steps = Steps(Reimport, len(it.Key.Replicas) > 0)
	it.Admission, it.Reason = store.AdmissionAdmitted, ""
	var notes []string
	if p.Due {
		notes = append(notes, "also due for a rotation")
	}
	if n := p.ReimportableCount(); n > 1 {
		notes = append(notes, fmt.Sprintf("%d more expiring material(s) to re-import", n-1))
	}
	if len(notes) > 0 {
		it.Note = fmt.Sprintf("%s: this run re-imports material %s first; run byok rotate --due again for the rest", joinNotes(notes), m.ID)
	}
	return it
}

func joinNotes(n []string) string {
	if len(n) == 1 {
		return n[0]
	}
	return n[0] + " and " + n[1]
}

func firstReimportable(p Plan) (ExpiringMaterial, bool) {
	for _, m := range p.Expiring {
		if m.Reimportable() {
			return m, true
		}
	}
	return ExpiringMaterial{}, false
}

// freshPlan is the caller's plan of k if it is fresh enough to decide on.
func freshPlan(plans []Plan, k estate.Key) (Plan, error) {
	for _, p := range plans {
		if p.Key.Alias == k.Alias && p.Key.Region == k.Region && time.Since(p.At) < planFresh {
			return p, nil
		}
	}
	return Plan{}, errNoFreshPlan
}

var errNoFreshPlan = fmt.Errorf("no fresh plan")

// requestKeys is the journaled request of prepared items.
func requestKeys(items []Item) []store.RequestKey {
	var rq []store.RequestKey
	for _, it := range items {
		if it.Subject != nil {
			rq = append(rq, store.RequestKey{Alias: it.Subject.ARN, Region: it.Subject.Region, Strategy: it.Strategy.String(),
				NewKeyID: it.Subject.TargetKey, HSMLabel: it.Subject.Location(), Reason: it.Note})
			continue
		}
		rq = append(rq, store.RequestKey{Alias: it.Key.Alias, Region: it.Key.Region, Strategy: it.Strategy.String(),
			MaterialID: it.MaterialID, HSMLabel: it.HSMLabel, NewKeyID: it.NewKeyID, Reason: it.Note})
	}
	return rq
}
