package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
)

// preparePlanFile reads a saved plan, decides the same request again from
// what KMS and the estate say now, and returns the fresh decision only
// when it equals the saved one (rotation.SavedPlan.Check names every
// difference otherwise).
func preparePlanFile(ctx context.Context, env *rotationEnv, o rotateOpts) (rotation.Prepared, []rotation.Plan, error) {
	b, err := os.ReadFile(o.planFile)
	if err != nil {
		return rotation.Prepared{}, nil, fmt.Errorf("--plan: %w", err)
	}
	saved, err := rotation.ParseSavedPlan(b)
	if err != nil {
		return rotation.Prepared{}, nil, fmt.Errorf("--plan %s: %w", o.planFile, err)
	}
	if saved.Target != "" {
		return rotation.Prepared{}, nil, fmt.Errorf("--plan %s is a rollback plan: run byok rollback %s", o.planFile, saved.Target)
	}
	var keys []estate.Key
	var missing []string
	for _, sk := range saved.Keys {
		k, ok := estateKeyNamed(env.est, sk.Alias, sk.Region)
		if !ok {
			missing = append(missing, fmt.Sprintf("%s (%s): no longer in the estate", sk.Alias, sk.Region))
			continue
		}
		keys = append(keys, k)
	}
	if len(missing) > 0 {
		return rotation.Prepared{}, nil, &rotation.PlanChangedError{Changes: missing}
	}
	strategy := estate.Strategy(saved.Strategy)
	plans, err := env.engine.PlanKeys(ctx, keys, strategy)
	if err != nil {
		return rotation.Prepared{}, plans, err
	}
	p, err := env.engine.Prepare(ctx, rotation.Request{Keys: keys, Strategy: strategy, ChangeRef: o.changeRef,
		Plans: plans, Selector: saved.Selector})
	if err != nil {
		return p, plans, err
	}
	if err := saved.Check(p.Save(env.est, time.Now())); err != nil {
		return rotation.Prepared{}, plans, fmt.Errorf("--plan %s refused: %w", o.planFile, err)
	}
	return p, plans, nil
}

func estateKeyNamed(est *estate.Estate, alias, region string) (estate.Key, bool) {
	for _, k := range est.Keys() {
		if k.Alias == alias && k.Region == region {
			return k, true
		}
	}
	return estate.Key{}, false
}
