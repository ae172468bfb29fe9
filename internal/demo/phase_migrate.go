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
// new-key rotation left on the old keys (the databases, the cluster, the
// archive bucket and its objects) and applies the Ready items as one
// migration run (byok migrate apply --yes --writers-stopped) through the
// member account's migration role, with the sandbox clock moved through
// RDS's snapshot, copy, restore and rename states.
func (s *story) migrateResources(ctx context.Context) error {
	keys, err := s.newKeyKeys()
	if err != nil {
		return err
	}
	account := keys[0].Consumer
	if err := s.putObjects(ctx, account); err != nil {
		return err
	}
	if err := s.deployMigrationRole(account); err != nil {
		return err
	}
	plan, err := s.migrationPlan(ctx, account)
	if err != nil {
		return err
	}
	var ready []migrate.Item
	for _, it := range plan.Items {
		if !it.Ready() { // as byok migrate apply: not applied, with the reason
			s.out.line("%-22s %-14s not applied: %s%s", it.Type, it.Name, it.Cannot, failedChecks(it.Checks))
			continue
		}
		s.out.line("%-22s %-14s key/%s → key/%s  %s, downtime %s", it.Type, it.Name, keyTail(it.CurrentKey), keyTail(it.TargetKey), it.Method, it.Downtime)
		ready = append(ready, it)
	}
	if len(ready) == 0 {
		return fmt.Errorf("migrate plan: nothing on the old keys %s passed its pre-flight (%d planned); the new-key rotation should have left the prod databases and the archive bucket on them",
			strings.Join(s.retiredARNs(), ", "), len(plan.Items))
	}
	s.out.ok("migrate plan: %s on the old keys ready, pre-flight passed", plural(len(ready), "resource", "resources"))
	if err := s.captureBefore(ctx, ready); err != nil {
		return err
	}
	online, stopped := splitByDowntime(ready)
	for _, g := range [][]migrate.Item{online, stopped} {
		if err := s.applyGroup(ctx, g, account); err != nil {
			return err
		}
	}
	if err := s.checkMigrated(ctx, ready); err != nil {
		return err
	}
	return s.checkArchiveMigrated(ctx, account)
}

// splitByDowntime separates what migrates online (S3, DynamoDB) from what
// needs writers stopped (RDS, Aurora). The demo applies them as two runs
// (byok migrate apply --resource …, then --env with the databases): the
// sandbox clock is moved only through the second's RDS states, so the
// first's role sessions never see it jump.
func splitByDowntime(items []migrate.Item) (online, stopped []migrate.Item) {
	for _, it := range items {
		if it.Method == migrate.MethodRDSInstance || it.Method == migrate.MethodAuroraCluster {
			stopped = append(stopped, it)
		} else {
			online = append(online, it)
		}
	}
	return online, stopped
}

// applyGroup applies items as one migration run and records it.
func (s *story) applyGroup(ctx context.Context, items []migrate.Item, account string) error {
	if len(items) == 0 {
		return nil
	}
	ms := make([]rotation.Migration, len(items))
	stopped := false
	for i, it := range items {
		ms[i] = rotation.Migration{ARN: it.ARN, Account: it.Account, Region: it.Region, TargetKey: it.TargetKey, Method: string(it.Method)}
		stopped = stopped || it.Method == migrate.MethodRDSInstance || it.Method == migrate.MethodAuroraCluster
	}
	p, err := s.w.engine.PrepareMigration(ms, "DEMO-3 migrate what the new-key rotation left")
	if err != nil {
		return err
	}
	id, err := s.applyMigration(ctx, p, account, stopped)
	s.migrateRuns = append(s.migrateRuns, id)
	if id != "" {
		err = errors.Join(err, s.recordMigrations(context.WithoutCancel(ctx), id, items))
	}
	if err != nil {
		return err
	}
	how := "online"
	if stopped {
		how = "writers-stopped confirmed by the demo as the operator"
	}
	s.out.ok("run %s: %s migrated onto the new keys, %s", id, plural(len(ms), "resource", "resources"), how)
	return nil
}

// migrationPlan is byok migrate plan --env of the consumer account --key
// OLD, once per old key: a scan, the plan items and their pre-flight
// (app.PlanMigration, the CLI's path).
func (s *story) migrationPlan(ctx context.Context, account string) (migrate.Plan, error) {
	var all migrate.Plan
	for _, old := range s.retiredARNs() {
		plan, err := app.PlanMigration(ctx, s.w.est, s.w.clients, app.PlanOptions{Selection: migrate.Selection{Account: account, Key: old},
			Accounts: []string{account}, Source: "demo", Version: s.w.opts.Version})
		if err != nil {
			return migrate.Plan{}, err
		}
		if len(plan.Errors) > 0 {
			return migrate.Plan{}, fmt.Errorf("scan for the migration plan incomplete: %s", strings.Join(plan.Errors, "; "))
		}
		all.GeneratedAt, all.Items = plan.GeneratedAt, append(all.Items, plan.Items...)
	}
	return all, nil
}

// applyMigration runs the prepared migration with the engine's options as
// byok migrate apply sets them, the sandbox clock moved through RDS's
// states when drive.
func (s *story) applyMigration(ctx context.Context, p rotation.Prepared, account string, drive bool) (store.RunID, error) {
	e := s.w.engine
	e.WritersStopped = func(context.Context, rotation.Subject) (string, error) { return demoWriters, nil }
	e.MigrationPoll, e.MigrationTimeout = 5*time.Millisecond, 2*time.Minute
	e.Progress = s.progress
	defer func() { e.WritersStopped, e.Progress = nil, nil }()
	if !drive {
		return e.StartPrepared(ctx, p, nil)
	}
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
