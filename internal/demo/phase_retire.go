package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
)

// demoQuiet is the retire quiet period the demo judges, in sandbox time
// (byok retire's default is 30d): the sandbox clock is moved past it
// after the last use of the old key, as the other phases move it.
const demoQuiet = 15 * time.Minute

// retireOldKey retires the keys the new-key rotation left behind, as byok
// retire --key OLD --quiet-for 15m --yes each: the resource owner first
// deletes the originals the migration kept for rollback (still on the old
// key, and a blocker), the application re-encrypts what it encrypted
// directly under the old keys, the quiet period passes, then the retire
// procedure disables each key.
func (s *story) retireOldKey(ctx context.Context) error {
	keys, err := s.newKeyKeys()
	if err != nil {
		return err
	}
	deleted, err := s.deleteKeptOriginals(ctx, keys[0].Consumer)
	if err != nil {
		return err
	}
	for _, r := range s.retired {
		if err := s.reencryptAppData(ctx, r.Alias, r.KeyARN); err != nil {
			return err
		}
	}
	s.w.sb.AdvanceClock(demoQuiet + time.Minute)
	s.clockMoved()
	s.out.line("moved the sandbox clock %s on: the quiet period the demo judges (production default 30d)", demoQuiet+time.Minute)
	e := s.w.engine
	e.Now, e.Progress = s.w.sb.Now, s.progress
	defer func() { e.Now, e.Progress = nil, nil }()
	for _, r := range s.retired {
		k, err := s.estateKey(r.Alias)
		if err != nil {
			return err
		}
		ret := Retirement{KeyARN: r.KeyARN, QuietFor: demoQuiet.String()}
		if k.Service == estate.ServiceRDS {
			ret.Deleted = deleted // the kept originals were on this key
		}
		if err := s.retireOne(ctx, ret, k.Region); err != nil {
			return err
		}
	}
	return nil
}

// retireOne judges and retires one old key.
func (s *story) retireOne(ctx context.Context, ret Retirement, region string) error {
	rp, err := s.w.engine.PrepareRetire(ctx, rotation.RetireRequest{Key: ret.KeyARN, Strategy: rotation.Retire, ChangeRef: "DEMO-4 retire the old key",
		Options: rotation.RetireOptions{QuietFor: demoQuiet}})
	if err != nil {
		return err
	}
	if rp.Blocked != nil {
		return fmt.Errorf("retire %s refused: %w", ret.KeyARN, rp.Blocked)
	}
	ret.Ignored = len(rp.Decision.Ignored)
	ret.Judged = fmt.Sprintf("no resource, alias or estate alias on the key; no Encrypt/Decrypt/GenerateDataKey*/ReEncrypt* on it in CloudTrail (Security and consumer accounts) for %s of sandbox time; %d byok verify-role uses ignored", demoQuiet, ret.Ignored)
	s.out.ok("judged %s: %s", ret.KeyARN, ret.Judged)
	for _, w := range rp.Decision.Warnings { // the final snapshots: unrestorable while disabled, kept by their owner
		s.out.warn("%s", rotation.FormatBlocker(w))
	}
	return s.runRetire(ctx, rp, ret, region)
}

// runRetire runs the judged retire procedure, records it in the report
// and proves the old key Disabled by DescribeKey.
func (s *story) runRetire(ctx context.Context, rp rotation.RetirePlan, ret Retirement, region string) error {
	id, err := s.w.engine.RetirePrepared(ctx, rp)
	ret.RunID = id.String()
	if id != "" {
		run, rerr := s.runReport(context.WithoutCancel(ctx), id)
		err = errors.Join(err, rerr)
		ret.Status = run.Status
		for _, rk := range run.Keys {
			ret.Steps = append(ret.Steps, rk.Steps...)
		}
	}
	if err != nil {
		s.rep.Retirements = append(s.rep.Retirements, ret)
		return err
	}
	ret.KeyState, err = s.keyState(ctx, region, ret.KeyARN)
	s.rep.Retirements = append(s.rep.Retirements, ret)
	if err != nil {
		return err
	}
	if ret.KeyState != "Disabled" {
		return fmt.Errorf("the old key %s is %s after byok retire, want Disabled", ret.KeyARN, ret.KeyState)
	}
	s.out.ok("run %s: the old key %s is Disabled (undo: byok retire --key %s --undo); the HSM object is kept", id, ret.KeyARN, ret.KeyARN)
	return nil
}

func (s *story) keyState(ctx context.Context, region, keyARN string) (string, error) {
	d, err := s.w.clients.KMS(s.w.est.SecurityAccount, region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyARN)})
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", keyARN, err)
	}
	return string(d.KeyMetadata.KeyState), nil
}

// deleteKeptOriginals is the resource owner (the consumer account, not
// byok, which never deletes) deleting the originals the migration run
// kept stopped for rollback: members first, then clusters, then
// instances. Returns their names.
func (s *story) deleteKeptOriginals(ctx context.Context, account string) ([]string, error) {
	c := s.ownerRDS(ctx, account)
	kept := "-byok-old-"
	var deleted, clusters []string
	insts, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	if err != nil {
		return nil, fmt.Errorf("list %s's RDS instances: %w", s.accountName(account), err)
	}
	cls, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
	if err != nil {
		return nil, fmt.Errorf("list %s's Aurora clusters: %w", s.accountName(account), err)
	}
	for _, cl := range cls.DBClusters {
		if id := aws.ToString(cl.DBClusterIdentifier); strings.Contains(id, kept) {
			clusters = append(clusters, id)
		}
	}
	for _, db := range insts.DBInstances {
		id := aws.ToString(db.DBInstanceIdentifier)
		if !strings.Contains(id, kept) && !strings.Contains(aws.ToString(db.DBClusterIdentifier), kept) {
			continue
		}
		if _, err := c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
			return deleted, fmt.Errorf("delete the kept original %s: %w", id, err)
		}
		deleted = append(deleted, id)
	}
	for _, id := range clusters {
		if _, err := c.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
			return deleted, fmt.Errorf("delete the kept original cluster %s: %w", id, err)
		}
		deleted = append(deleted, id)
	}
	if len(deleted) == 0 {
		return nil, fmt.Errorf("the migration kept no original (%s…) in %s to delete", kept, s.accountName(account))
	}
	s.out.ok("the %s owner deleted the originals the migration kept for rollback (no rollback needed): %s", s.accountName(account), strings.Join(deleted, ", "))
	return deleted, nil
}

// reencryptAppData is the application re-encrypting what it encrypted
// directly under the rotated key old (ReEncrypt onto the alias, now the
// new key), from its own account, before the quiet period.
func (s *story) reencryptAppData(ctx context.Context, alias, old string) error {
	k, err := s.estateKey(alias)
	if err != nil {
		return err
	}
	for i, rec := range s.appData[alias] {
		out, err := s.w.clients.KMS(rec.Account, k.Region).ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: rec.Ciphertext,
			SourceKeyId: aws.String(old), SourceEncryptionContext: appContext,
			DestinationKeyId: aws.String(k.AliasARN()), DestinationEncryptionContext: appContext})
		if err != nil {
			return fmt.Errorf("re-encrypt %s's data onto %s: %w", s.accountName(rec.Account), alias, err)
		}
		s.appData[alias][i].Ciphertext = out.CiphertextBlob
		s.out.ok("%s re-encrypted its data from the old key onto %s (%s)", s.accountName(rec.Account), alias, aws.ToString(out.KeyId))
	}
	return nil
}
