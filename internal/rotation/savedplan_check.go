package rotation

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/byok-dev/byok/internal/store"
)

// ErrBadPlan: a saved plan file byok cannot read.
var ErrBadPlan = errors.New("not a valid byok plan file")

// ErrPlanChanged: what a saved plan was decided from changed since.
var ErrPlanChanged = errors.New("the estate or its keys changed since the plan was saved")

// PlanChangedError names every change, one line each.
type PlanChangedError struct{ Changes []string }

func (e *PlanChangedError) Error() string {
	return fmt.Sprintf("%v:\n  %s\nmake a new plan (byok plan --out FILE) and review it", ErrPlanChanged, strings.Join(e.Changes, "\n  "))
}

func (e *PlanChangedError) Unwrap() error { return ErrPlanChanged }

// maxPlanBytes bounds a plan file (an estate of thousands of keys is far
// below it).
const maxPlanBytes = 16 << 20

// ParseSavedPlan reads a plan file strictly: unknown fields, another
// version, a key without alias or Region, an unknown strategy, admission
// or step, or a malformed digest are errors wrapping ErrBadPlan.
func ParseSavedPlan(b []byte) (SavedPlan, error) {
	var sp SavedPlan
	if len(b) > maxPlanBytes {
		return sp, fmt.Errorf("%w: %d bytes (at most %d)", ErrBadPlan, len(b), maxPlanBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sp); err != nil {
		return SavedPlan{}, fmt.Errorf("%w: %v", ErrBadPlan, err)
	}
	if dec.More() {
		return SavedPlan{}, fmt.Errorf("%w: data after the plan document", ErrBadPlan)
	}
	if err := sp.validate(); err != nil {
		return SavedPlan{}, fmt.Errorf("%w: %v", ErrBadPlan, err)
	}
	return sp, nil
}

func (sp SavedPlan) validate() error {
	if sp.Version != SavedPlanVersion {
		return fmt.Errorf("version %d (this byok reads version %d; make the plan again)", sp.Version, SavedPlanVersion)
	}
	if !isDigest(sp.EstateDigest) {
		return fmt.Errorf("estate_digest %q is not a SHA-256 in hex", sp.EstateDigest)
	}
	if _, err := ParseStrategy(sp.Strategy); err != nil && sp.Strategy != "" {
		return err
	}
	if sp.Target != "" {
		if _, err := store.ParseRunID(string(sp.Target)); err != nil {
			return err
		}
	}
	if len(sp.Keys) == 0 {
		return errors.New("no key")
	}
	for i, k := range sp.Keys {
		if err := k.validate(); err != nil {
			return fmt.Errorf("keys[%d]: %w", i, err)
		}
	}
	return nil
}

func (k SavedKey) validate() error {
	if !strings.HasPrefix(k.Alias, "alias/") || k.Region == "" {
		return fmt.Errorf("alias %q, Region %q: want an alias/… name and a Region", k.Alias, k.Region)
	}
	if _, err := ParseStrategy(k.Strategy); err != nil {
		return err
	}
	if _, err := store.ParseAdmission(k.Admission); err != nil {
		return err
	}
	if k.MaterialsDigest != "" && !isDigest(k.MaterialsDigest) {
		return fmt.Errorf("materials_digest %q is not a SHA-256 in hex", k.MaterialsDigest)
	}
	for _, s := range k.Steps {
		if _, err := store.ParseStep(s); err != nil {
			return err
		}
	}
	return nil
}

func isDigest(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}

// Check compares a saved plan with the same request decided now: any
// difference in the estate, a key's facts (material, alias target,
// rotations) or a decision is a *PlanChangedError naming each.
func (sp SavedPlan) Check(now SavedPlan) error {
	var ch []string
	if sp.EstateDigest != now.EstateDigest {
		ch = append(ch, "estate: the estate file's keys or policy changed")
	}
	if sp.Strategy != now.Strategy || sp.Selector != now.Selector || sp.Target != now.Target {
		ch = append(ch, "request: selector, strategy or target differ")
	}
	fresh := map[string]SavedKey{}
	for _, k := range now.Keys {
		fresh[k.Alias+" "+k.Region] = k
	}
	for _, k := range sp.Keys {
		n, ok := fresh[k.Alias+" "+k.Region]
		if !ok {
			ch = append(ch, fmt.Sprintf("%s (%s): no longer selected", k.Alias, k.Region))
			continue
		}
		ch = append(ch, keyChanges(k, n)...)
		delete(fresh, k.Alias+" "+k.Region)
	}
	for _, n := range fresh {
		ch = append(ch, fmt.Sprintf("%s (%s): selected now, not in the plan", n.Alias, n.Region))
	}
	if len(ch) > 0 {
		return &PlanChangedError{Changes: ch}
	}
	return nil
}

func keyChanges(was, now SavedKey) []string {
	var ch []string
	add := func(what, a, b string) {
		if a != b {
			ch = append(ch, fmt.Sprintf("%s (%s): %s was %q, is %q", was.Alias, was.Region, what, a, b))
		}
	}
	add("key ARN", was.KeyARN, now.KeyARN)
	add("alias target", was.AliasTarget, now.AliasTarget)
	add("current material", was.CurrentMaterialID, now.CurrentMaterialID)
	add("on-demand rotations", fmt.Sprint(was.OnDemandRotations), fmt.Sprint(now.OnDemandRotations))
	if was.CurrentMaterialID == now.CurrentMaterialID {
		add("materials (ListKeyRotations)", was.MaterialsDigest, now.MaterialsDigest)
	}
	add("strategy", was.Strategy, now.Strategy)
	add("admission", was.Admission, now.Admission)
	add("material to re-import", was.MaterialID, now.MaterialID)
	add("steps", strings.Join(was.Steps, ","), strings.Join(now.Steps, ","))
	return ch
}
