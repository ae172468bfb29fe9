package rotation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/store"
)

// The migration rollback procedure: a run of its own whose Target is the
// migration run. RDS and Aurora: the original (stopped, NAME-byok-old-RUN)
// is started, the restored resource leaves NAME for NAME-byok-rb-RUN
// (kept, nothing deleted) and the original takes NAME back. DynamoDB: the
// table switches back to the key it was on, if DynamoDB's daily limit
// allows; otherwise the run stops with the time of the next allowed
// switch and resumes then. Names are decided by resource ID, as in the
// switch, so every action is idempotent. S3 buckets: the default
// encryption the migration recorded is put back and the objects on the
// migration's key are copied back onto the old key (migrate_rollback_s3.go).
func init() {
	register(&procedure{strategy: MigrateRollback, resource: true, table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).migRollbackPlan, next: []store.Step{store.StepRollback}},
		{step: store.StepRollback, do: (*keyJob).migRollback, next: []store.Step{store.StepVerify}},
		{step: store.StepVerify, do: (*keyJob).migRollbackVerify, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).migRollbackRecord, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
}

// migrated is the migration run's run key of this resource.
func (j *keyJob) migrated(ctx context.Context) (store.RunKey, Strategy, error) {
	rk, err := j.e.Store.GetRunKey(ctx, j.run.Target, j.rk.KeyARN)
	if err != nil {
		return rk, StrategyUnknown, err
	}
	s, err := ParseStrategy(rk.Strategy)
	return rk, s, err
}

// asMigration is a job with the migration run's identity and facts, so
// the methods' helpers (names from the run, resource IDs) serve the
// rollback.
func (j *keyJob) asMigration(ctx context.Context) (*keyJob, Strategy, error) {
	rk, s, err := j.migrated(ctx)
	if err != nil {
		return nil, s, err
	}
	m := *j
	m.run = store.Run{ID: j.run.Target}
	m.rk = rk
	return &m, s, nil
}

func (j *keyJob) migRollbackPlan(ctx context.Context) error {
	m, s, err := j.asMigration(ctx)
	if err != nil {
		return err
	}
	switch s {
	case MigrateRDSInstance, MigrateAuroraCluster, MigrateDynamoDB:
	case MigrateS3Bucket:
		if _, _, err := j.s3RollbackFacts(ctx, m); err != nil {
			return err
		}
	default:
		return fmt.Errorf("run %s %s: %w", j.run.Target, s, ErrNotMigration)
	}
	j.rk.OldMaterialID, j.rk.NewMaterialID, j.rk.OldKeyID = m.rk.NewMaterialID, m.rk.OldMaterialID, m.rk.NewKeyID
	return j.saveMigration(ctx)
}

func (j *keyJob) migRollback(ctx context.Context) error {
	m, s, err := j.asMigration(ctx)
	if err != nil {
		return err
	}
	switch s {
	case MigrateRDSInstance:
		return m.rdsUnswitch(ctx)
	case MigrateAuroraCluster:
		return m.auroraUnswitch(ctx)
	case MigrateS3Bucket:
		return j.s3Unswitch(ctx, m)
	}
	for _, region := range []string{m.sub().Region} {
		if err := m.switchTable(ctx, region, m.rk.OldKeyID); err != nil {
			return err
		}
	}
	return nil
}

// rdsUnswitch: start the original, move the restored instance away from
// NAME, give NAME back to the original. m is the migration's job.
func (m *keyJob) rdsUnswitch(ctx context.Context) error {
	c, err := m.rdsClient(ctx)
	if err != nil {
		return err
	}
	s := m.sub()
	oldName, rb := migName(s.Name, "old", m.run.ID), migName(s.Name, "rb", m.run.ID)
	orig, err := describeInstance(ctx, c, s.Name)
	if err != nil {
		return err
	}
	if orig != nil && aws.ToString(orig.DbiResourceId) == m.rk.OldMaterialID {
		_, err = m.waitInstance(ctx, c, s.Name, m.rk.OldMaterialID)
		return err
	}
	if err := m.startInstance(ctx, c, oldName); err != nil {
		return err
	}
	if orig != nil && aws.ToString(orig.DbiResourceId) == m.rk.NewMaterialID {
		if _, err := m.waitInstance(ctx, c, s.Name, m.rk.NewMaterialID); err != nil {
			return err
		}
		if err := renameInstance(ctx, c, s.Name, rb); err != nil {
			return err
		}
		if _, err := m.waitInstance(ctx, c, rb, m.rk.NewMaterialID); err != nil {
			return err
		}
	} else if orig != nil {
		return fmt.Errorf("%w: %s is held by %s, neither the original nor the restored instance", ErrMigrationState, s.Name, aws.ToString(orig.DbiResourceId))
	}
	if err := renameInstance(ctx, c, oldName, s.Name); err != nil {
		return err
	}
	_, err = m.waitInstance(ctx, c, s.Name, m.rk.OldMaterialID)
	return err
}

// startInstance starts a stopped instance and waits until it is available.
func (m *keyJob) startInstance(ctx context.Context, c RDS, id string) error {
	return m.waitFor(ctx, "DB instance "+id+" started", func(ctx context.Context) (bool, string, error) {
		db, err := describeInstance(ctx, c, id)
		if err != nil || db == nil {
			return false, "not found", err
		}
		st := aws.ToString(db.DBInstanceStatus)
		if st == "stopped" {
			if _, err := c.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String(id)}); err != nil {
				return false, st, fmt.Errorf("StartDBInstance %s: %w", id, err)
			}
		}
		return st == "available", "status " + st, nil
	})
}

func (j *keyJob) migRollbackVerify(ctx context.Context) error {
	m, s, err := j.asMigration(ctx)
	if err != nil {
		return err
	}
	v := map[string]any{"rolled_back": j.run.Target.String(), "resource": j.rk.KeyARN, "kms_key_id": m.rk.OldKeyID}
	switch s {
	case MigrateRDSInstance:
		c, err := m.rdsClient(ctx)
		if err != nil {
			return err
		}
		db, err := describeInstance(ctx, c, m.sub().Name)
		if err != nil {
			return err
		}
		if db == nil || aws.ToString(db.DbiResourceId) != m.rk.OldMaterialID || aws.ToString(db.DBInstanceStatus) != "available" {
			return fmt.Errorf("%w: %s is not the original instance %s, available", ErrVerification, m.sub().Name, m.rk.OldMaterialID)
		}
		v["endpoint"], v["restored_kept_as"] = endpointOf(db.Endpoint), migName(m.sub().Name, "rb", m.run.ID)
	case MigrateAuroraCluster:
		if err := m.auroraUnswitchVerify(ctx, v); err != nil {
			return err
		}
	case MigrateS3Bucket:
		if err := j.s3UnswitchVerify(ctx, m, v); err != nil {
			return err
		}
	default:
		c, err := m.ddbClient(ctx, m.sub().Region)
		if err != nil {
			return err
		}
		t, err := describeTable(ctx, c, m.sub().Name)
		if err != nil {
			return err
		}
		if key, st := tableKey(t); key != m.rk.OldKeyID || (key != "" && st != "ENABLED") {
			return fmt.Errorf("%w: table %s is on %q (%s), want %q", ErrVerification, m.sub().Name, key, st, m.rk.OldKeyID)
		}
	}
	j.rk.Verification, _ = json.Marshal(v)
	return j.saveMigration(ctx)
}

func (j *keyJob) migRollbackRecord(ctx context.Context) error {
	done, err := j.e.Audit.Has(ctx, j.run.ID.String(), j.rk.KeyARN)
	if err != nil || done {
		return err
	}
	rk, err := j.e.Store.GetRunKey(ctx, j.run.ID, j.rk.KeyARN)
	if err != nil {
		return err
	}
	return j.e.Audit.Record(ctx, AuditRecord{RunID: j.run.ID, Operator: j.run.Operator, ChangeRef: j.run.ChangeRef,
		KeyARN: j.rk.KeyARN, Alias: j.rk.KeyARN, Strategy: MigrateRollback.String(), OldMaterialID: rk.OldMaterialID,
		NewMaterialID: rk.NewMaterialID, OldKeyID: rk.OldKeyID, NewKeyID: rk.NewKeyID, Verification: rk.Verification,
		Timings: j.timings, Outcome: audit.OutcomeRolledBack})
}
