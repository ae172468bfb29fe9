package rotation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// rdsRestore restores the copy as NAME-byok-new-RUN with the original's
// class, subnet group, parameter and option groups, security groups,
// Multi-AZ, port and tags, then waits for it to be available.
func (j *keyJob) rdsRestore(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	if err := j.loadMigration(ctx); err != nil {
		return err
	}
	s := j.sub()
	newName := migName(s.Name, "new", j.run.ID)
	nw, err := describeInstance(ctx, c, newName)
	if err != nil {
		return err
	}
	if nw == nil {
		orig, err := describeInstance(ctx, c, s.Name)
		if err != nil {
			return err
		}
		if orig == nil || aws.ToString(orig.DbiResourceId) != j.rk.OldMaterialID {
			return fmt.Errorf("%w: %s is no longer the instance this run snapshotted (%s)", ErrMigrationState, s.Name, j.rk.OldMaterialID)
		}
		in := restoreInput(orig, newName, migName(s.Name, "copy", j.run.ID), j.run.ID.String())
		if _, err := c.RestoreDBInstanceFromDBSnapshot(ctx, in); err != nil {
			return fmt.Errorf("RestoreDBInstanceFromDBSnapshot %s: %w", newName, err)
		}
	}
	db, err := j.waitInstance(ctx, c, newName, "")
	if err != nil {
		return err
	}
	j.rk.NewMaterialID = aws.ToString(db.DbiResourceId)
	return j.saveMigration(ctx)
}

// restoreInput repeats orig's placement for the restored instance.
func restoreInput(orig *rdstypes.DBInstance, id, snapshot, run string) *rds.RestoreDBInstanceFromDBSnapshotInput {
	in := &rds.RestoreDBInstanceFromDBSnapshotInput{DBInstanceIdentifier: aws.String(id),
		DBSnapshotIdentifier: aws.String(snapshot), DBInstanceClass: orig.DBInstanceClass, MultiAZ: orig.MultiAZ}
	if orig.DBSubnetGroup != nil {
		in.DBSubnetGroupName = orig.DBSubnetGroup.DBSubnetGroupName
	}
	if len(orig.DBParameterGroups) > 0 {
		in.DBParameterGroupName = orig.DBParameterGroups[0].DBParameterGroupName
	}
	if len(orig.OptionGroupMemberships) > 0 {
		in.OptionGroupName = orig.OptionGroupMemberships[0].OptionGroupName
	}
	for _, sg := range orig.VpcSecurityGroups {
		in.VpcSecurityGroupIds = append(in.VpcSecurityGroupIds, aws.ToString(sg.VpcSecurityGroupId))
	}
	if orig.Endpoint != nil && orig.Endpoint.Port != nil {
		in.Port = orig.Endpoint.Port
	} else if orig.DbInstancePort != nil && *orig.DbInstancePort != 0 {
		in.Port = orig.DbInstancePort
	}
	in.Tags = append(append(in.Tags, orig.TagList...), rdstypes.Tag{Key: aws.String("byok:migrated-by"), Value: aws.String(run)})
	return in
}

// rdsSwitch renames the original to NAME-byok-old-RUN and the restored
// instance to NAME. It reads which instance holds which name (by
// DbiResourceId) before each rename, so a resumed switch does only what
// is left.
func (j *keyJob) rdsSwitch(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	if err := j.loadMigration(ctx); err != nil {
		return err
	}
	s := j.sub()
	oldName, newName := migName(s.Name, "old", j.run.ID), migName(s.Name, "new", j.run.ID)
	return j.swapNames(ctx, instanceKind.names(j, c), s.Name, oldName, newName)
}

func renameInstance(ctx context.Context, c RDS, from, to string) error {
	_, err := c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(from),
		NewDBInstanceIdentifier: aws.String(to), ApplyImmediately: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("rename DB instance %s to %s: %w", from, to, err)
	}
	return nil
}

// rdsVerify reads NAME back: the restored instance, available, encrypted
// under the target key.
func (j *keyJob) rdsVerify(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	if err := j.loadMigration(ctx); err != nil {
		return err
	}
	s := j.sub()
	db, err := describeInstance(ctx, c, s.Name)
	if err != nil {
		return err
	}
	if db == nil {
		return fmt.Errorf("%w: %s not found after the switch", ErrVerification, s.Name)
	}
	return j.verifyOn(ctx, s.Name, aws.ToString(db.DbiResourceId), aws.ToString(db.KmsKeyId),
		aws.ToBool(db.StorageEncrypted), aws.ToString(db.DBInstanceStatus), endpointOf(db.Endpoint))
}

// verifyOn checks a switched resource's facts and records them.
func (j *keyJob) verifyOn(ctx context.Context, name, rid, key string, encrypted bool, status, endpoint string) error {
	s := j.sub()
	switch {
	case rid != j.rk.NewMaterialID:
		return fmt.Errorf("%w: %s is %s, want the restored %s", ErrVerification, name, rid, j.rk.NewMaterialID)
	case key != s.TargetKey || !encrypted:
		return fmt.Errorf("%w: %s is on %s (encrypted %v), want %s", ErrVerification, name, key, encrypted, s.TargetKey)
	case status != "available":
		return fmt.Errorf("%w: %s is %s, want available", ErrVerification, name, status)
	}
	j.rk.Verification, _ = json.Marshal(map[string]any{"identifier": name, "endpoint": endpoint, "kms_key_id": key,
		"storage_encrypted": encrypted, "status": status, "resource_id": rid, "old_resource_id": j.rk.OldMaterialID,
		"old_identifier": migName(s.Name, "old", j.run.ID)})
	return j.saveMigration(ctx)
}

func endpointOf(e *rdstypes.Endpoint) string {
	if e == nil {
		return ""
	}
	return fmt.Sprintf("%s:%d", aws.ToString(e.Address), aws.ToInt32(e.Port))
}

// rdsStopOld stops the original instance; it is kept for rollback.
func (j *keyJob) rdsStopOld(ctx context.Context) error {
	c, err := j.rdsClient(ctx)
	if err != nil {
		return err
	}
	return j.stopOld(ctx, instanceKind.names(j, c))
}

func (j *keyJob) rdsRecord(ctx context.Context) error {
	return j.migrationRecord(ctx, map[string]any{"method": "rds-snapshot-copy-restore"})
}
