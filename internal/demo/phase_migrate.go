package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/migrate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// demoWriters is how the demo, as the operator, confirms the
// writes-stopped moment (journaled with the writers-stopped step and
// copied into the audit entry).
const demoWriters = "byok demo as the operator: the sandbox databases have no writers"

// migrateResources plans (byok migrate plan) the consumer resources the
// new-key rotation left on the old key and applies the Ready items as one
// migration run (byok migrate apply --yes --writers-stopped) through the
// member account's migration role, with the sandbox clock moved through
// RDS's snapshot, copy, restore and rename states.
func (s *story) migrateResources(ctx context.Context) error {
	k, err := s.estateKey(s.w.opts.NewKeyAlias)
	if err != nil {
		return err
	}
	if err := s.putObjects(ctx, k.Consumer); err != nil {
		return err
	}
	if err := s.deployMigrationRole(k.Consumer); err != nil {
		return err
	}
	plan, err := s.migrationPlan(ctx, k.Consumer)
	if err != nil {
		return err
	}
	var ms []rotation.Migration
	var ready []migrate.Item
	for _, it := range plan.Items {
		if !it.Ready() { // as byok migrate apply: not applied, with the reason
			s.out.line("%-22s %-14s not applied: %s%s", it.Type, it.Name, it.Cannot, failedChecks(it.Checks))
			continue
		}
		s.out.line("%-22s %-14s key/%s → key/%s  %s, downtime %s", it.Type, it.Name, keyTail(it.CurrentKey), keyTail(it.TargetKey), it.Method, it.Downtime)
		ready = append(ready, it)
		ms = append(ms, rotation.Migration{ARN: it.ARN, Account: it.Account, Region: it.Region, TargetKey: it.TargetKey, Method: string(it.Method)})
	}
	if len(ms) == 0 {
		return fmt.Errorf("migrate plan: nothing on the old key %s passed its pre-flight (%d planned); the new-key rotation should have left the prod databases on it", s.retiredKey, len(plan.Items))
	}
	s.out.ok("migrate plan: %s on the old key ready, pre-flight passed", plural(len(ms), "resource", "resources"))
	if err := s.captureBefore(ctx, ready); err != nil {
		return err
	}
	p, err := s.w.engine.PrepareMigration(ms, "DEMO-3 migrate what the new-key rotation left")
	if err != nil {
		return err
	}
	id, err := s.applyMigration(ctx, p, k.Consumer)
	s.migrateRun = id
	if id != "" {
		err = errors.Join(err, s.recordMigrations(context.WithoutCancel(ctx), id, ready))
	}
	if err != nil {
		return err
	}
	s.out.ok("run %s: %s migrated onto the new key, writers-stopped confirmed by the demo as the operator", id, plural(len(ms), "resource", "resources"))
	return s.checkMigrated(ctx, ready)
}

// migrationPlan is byok migrate plan --env of the consumer account --key
// OLD: a scan, the plan items and their pre-flight (app.PlanMigration,
// the CLI's path).
func (s *story) migrationPlan(ctx context.Context, account string) (migrate.Plan, error) {
	plan, err := app.PlanMigration(ctx, s.w.est, s.w.clients, app.PlanOptions{Selection: migrate.Selection{Account: account, Key: s.retiredKey},
		Accounts: []string{account}, Source: "demo", Version: s.w.opts.Version})
	if err != nil {
		return migrate.Plan{}, err
	}
	if len(plan.Errors) > 0 {
		return migrate.Plan{}, fmt.Errorf("scan for the migration plan incomplete: %s", strings.Join(plan.Errors, "; "))
	}
	return plan, nil
}

// applyMigration runs the prepared migration with the engine's options as
// byok migrate apply sets them, while the sandbox clock is moved.
func (s *story) applyMigration(ctx context.Context, p rotation.Prepared, account string) (store.RunID, error) {
	e := s.w.engine
	e.WritersStopped = func(context.Context, rotation.Subject) (string, error) { return demoWriters, nil }
	e.MigrationPoll, e.MigrationTimeout = 5*time.Millisecond, 2*time.Minute
	e.Progress = s.progress
	defer func() { e.WritersStopped, e.Progress = nil, nil }()
	stop := s.driveClock(account)
	defer s.clockMoved()
	defer stop()
	return e.StartPrepared(ctx, p, nil)
}

// failedChecks lists the pre-flight checks that did not pass.
func failedChecks(cs []migrate.Check) string {
	var out string
	for _, c := range cs {
		if c.Status != migrate.CheckPass {
			out += fmt.Sprintf("; %s %s: %s", c.Name, c.Status, c.Detail)
		}
	}
	return out
}

// keyTail is a key ARN's key ID.
func keyTail(arn string) string {
	if _, id, ok := strings.Cut(arn, ":key/"); ok {
		return id
	}
	return arn
}
