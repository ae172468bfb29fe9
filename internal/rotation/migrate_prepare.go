package rotation

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// Migration is one resource to move onto a target key: what the planner
// (package migrate) decided, by method name.
type Migration struct {
	ARN       string
	Account   string
	Region    string
	TargetKey string // a key ARN
	Method    string // package migrate's Method
}

// ErrNoMethod: no registered procedure carries out the method.
var ErrNoMethod = errors.New("no migration procedure for this method")

// StrategyForMethod is the resource procedure that carries out method.
func StrategyForMethod(method string) (Strategy, error) {
	for _, s := range Strategies() {
		if p := procedures[s]; p.resource && p.method == method && method != "" {
			return s, nil
		}
	}
	return StrategyUnknown, fmt.Errorf("method %q: %w", method, ErrNoMethod)
}

// PrepareMigration decides a migration request: one item per resource,
// each following its method's procedure. It reads nothing (the planner's
// pre-flight did) and changes nothing; a dry run prints its items and
// StartPrepared runs exactly them.
func (e *Engine) PrepareMigration(ms []Migration, changeRef string) (Prepared, error) {
	if len(ms) == 0 {
		return Prepared{}, ErrEmptyRequest
	}
	p := Prepared{Strategy: estate.Strategy("migrate"), ChangeRef: changeRef}
	for _, m := range ms {
		s, err := StrategyForMethod(m.Method)
		if err != nil {
			return Prepared{}, fmt.Errorf("%s: %w", m.ARN, err)
		}
		sub, err := SubjectAt(m.ARN, m.Account+"/"+m.Region, m.TargetKey)
		if err != nil {
			return Prepared{}, err
		}
		p.Items = append(p.Items, Item{Key: sub.key(), KeyARN: sub.ARN, Strategy: s, Subject: &sub,
			Admission: store.AdmissionAdmitted, Steps: Steps(s, false)})
	}
	return p, nil
}

// switched reports whether a migration's run key began changing what
// clients see (its switch), so that a rollback has something to undo.
func switched(rk store.RunKey) bool {
	s, err := ParseStrategy(rk.Strategy)
	if err != nil {
		return false
	}
	steps := Steps(s, false)
	from := slices.IndexFunc(steps, func(st store.Step) bool {
		return st == store.StepSwitch || st == store.StepUpdateSSE || st == store.StepDefaultEncryption
	})
	at := slices.Index(steps, rk.Step)
	return from >= 0 && at >= from
}

// ErrNothingSwitched: the migration run switched no resource; there is
// nothing to roll back (abandon it instead).
var ErrNothingSwitched = errors.New("the run switched no resource yet: nothing to roll back (byok runs abandon RUN --reason … gives it up; the originals were never touched)")

// PrepareMigrationRollback decides the rollback of migration run id: one
// item per resource whose switch began, following MigrateRollback back to
// the key it was on.
func (e *Engine) PrepareMigrationRollback(ctx context.Context, id store.RunID) (Prepared, error) {
	run, err := e.Store.GetRun(ctx, id)
	if err != nil {
		return Prepared{}, err
	}
	if err := e.rollbackable(ctx, run); err != nil {
		return Prepared{}, err
	}
	rks, err := e.Store.ListRunKeys(ctx, id)
	if err != nil {
		return Prepared{}, err
	}
	p := Prepared{Strategy: estate.Strategy(MigrateRollback.String()), ChangeRef: "rollback of " + id.String(), Target: id}
	for _, rk := range rks {
		if !resourceProc(rk.Strategy) {
			return Prepared{}, fmt.Errorf("run %s: %w", id, ErrNotMigration)
		}
		if !switched(rk) {
			continue
		}
		sub, err := SubjectAt(rk.KeyARN, rk.HSMLabel, rk.OldKeyID)
		if err != nil {
			return Prepared{}, err
		}
		p.Items = append(p.Items, Item{Key: sub.key(), KeyARN: sub.ARN, Strategy: MigrateRollback, Subject: &sub,
			Admission: store.AdmissionAdmitted, Steps: Steps(MigrateRollback, false)})
	}
	if len(p.Items) == 0 {
		return p, fmt.Errorf("run %s: %w", id, ErrNothingSwitched)
	}
	return p, nil
}

// ErrNotMigration: byok migrate rollback was given a run that migrated
// nothing (a rotation: byok rollback undoes new-key runs).
var ErrNotMigration = errors.New("not a migration run (byok rollback undoes a new-key rotation)")
