package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/store"
)

// newKey rotates the new-key phase's keys the legacy way, as one run: a
// new EXTERNAL key each, with the old key's policy and tags, the alias
// moved. The old keys stay enabled so data under them still decrypts,
// and the resources that name them are listed.
func (s *story) newKey(ctx context.Context) error {
	keys, err := s.newKeyKeys()
	if err != nil {
		return err
	}
	aliases := make([]string, len(keys))
	for i, k := range keys {
		aliases[i] = k.Alias
	}
	id, err := s.startRun(ctx, keys, estate.StrategyNewKey, "DEMO-2 new-key rotation of "+strings.Join(aliases, " and "))
	s.newKeyRun = id
	if err != nil {
		return err
	}
	rks, err := s.w.store.ListRunKeys(ctx, id)
	if err != nil || len(rks) != len(keys) {
		return fmt.Errorf("read run %s: %d keys, want %d, %v", id, len(rks), len(keys), err)
	}
	for _, k := range keys {
		if err := s.checkNewKey(ctx, k, rks); err != nil {
			return err
		}
	}
	return nil
}

// newKeyKeys are the estate keys of Options.NewKeyAliases, all of one
// environment (the migrate phase moves that consumer account's resources).
func (s *story) newKeyKeys() ([]estate.Key, error) {
	var keys []estate.Key
	for _, a := range s.w.opts.NewKeyAliases {
		k, err := s.estateKey(a)
		if err != nil {
			return nil, err
		}
		if len(keys) > 0 && k.Consumer != keys[0].Consumer {
			return nil, fmt.Errorf("new-key aliases %s and %s are of two environments; the demo migrates one", keys[0].Alias, a)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// checkNewKey records k's old key and proves the switch: the alias on the
// new key, the old key Enabled and still decrypting, what is left on it.
func (s *story) checkNewKey(ctx context.Context, k estate.Key, rks []store.RunKey) error {
	old := s.seededKeyARN(k.Alias)
	var rk *store.RunKey
	for i := range rks {
		if rks[i].KeyARN == old {
			rk = &rks[i]
		}
	}
	if rk == nil {
		return fmt.Errorf("run %s has no key %s (%s)", s.newKeyRun, old, k.Alias)
	}
	s.retired = append(s.retired, retiredKey{Alias: k.Alias, KeyARN: rk.KeyARN, NewKeyID: rk.NewKeyID})
	if err := s.checkAliasMoved(ctx, k, rk.NewKeyID); err != nil {
		return err
	}
	if err := s.checkOldKeyDecrypts(ctx, k, rk.KeyARN); err != nil {
		return err
	}
	left, err := s.rdsOnKey(ctx, k, rk.KeyARN)
	if err != nil {
		return err
	}
	if b := s.archiveOn(ctx, k.Consumer, rk.KeyARN); b != "" {
		left = append(left, b)
	}
	for _, name := range left {
		s.out.warn("left on the retired key: %s in %s (re-key it in the %s maintenance window)", name, s.accountName(k.Consumer), k.Env)
	}
	return nil
}

// seededKeyARN is the key ARN the seed created for alias (in-place
// rotations keep it).
func (s *story) seededKeyARN(alias string) string {
	for _, k := range s.w.seeded.Keys {
		if k.Alias == alias {
			return k.KeyARN
		}
	}
	return ""
}

func (s *story) estateKey(alias string) (estate.Key, error) { return keyByAlias(s.w.est, alias) }

// checkAliasMoved confirms the alias now targets the new key.
func (s *story) checkAliasMoved(ctx context.Context, k estate.Key, newKey string) error {
	d, err := s.w.clients.KMS(s.w.est.SecurityAccount, k.Region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.AliasARN())})
	if err != nil {
		return fmt.Errorf("describe %s: %w", k.Alias, err)
	}
	got := aws.ToString(d.KeyMetadata.Arn)
	if got != newKey && aws.ToString(d.KeyMetadata.KeyId) != newKey {
		return fmt.Errorf("%s targets %s, want the new key %s", k.Alias, got, newKey)
	}
	s.out.ok("%s now targets the new key %s", k.Alias, got)
	return nil
}

// checkOldKeyDecrypts decrypts, from the consumer account, the data written
// under the key before any rotation, naming the retired key.
func (s *story) checkOldKeyDecrypts(ctx context.Context, k estate.Key, oldKey string) error {
	c := s.w.clients.KMS(s.w.est.SecurityAccount, k.Region)
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(oldKey)})
	if err != nil {
		return fmt.Errorf("describe the retired key: %w", err)
	}
	if d.KeyMetadata.KeyState != types.KeyStateEnabled {
		return fmt.Errorf("the retired key is %s; it must stay Enabled for decryption", d.KeyMetadata.KeyState)
	}
	for _, rec := range s.appData[k.Alias] {
		out, err := s.w.clients.KMS(rec.Account, k.Region).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rec.Ciphertext,
			KeyId: aws.String(oldKey), EncryptionContext: appContext})
		if err != nil || !bytes.Equal(out.Plaintext, rec.Plaintext) {
			return fmt.Errorf("data written under the retired key no longer decrypts from %s: %v", s.accountName(rec.Account), err)
		}
		s.out.ok("the retired key %s is Enabled; data written under it still decrypts from %s", oldKey, s.accountName(rec.Account))
	}
	return nil
}

// rdsOnKey lists the consumer account's RDS instances and clusters whose
// storage is encrypted under keyARN.
func (s *story) rdsOnKey(ctx context.Context, k estate.Key, keyARN string) ([]string, error) {
	c := s.w.clients.RDS(k.Consumer, k.Region)
	var out []string
	on := func(ref *string) bool { return ref != nil && (*ref == keyARN || strings.HasSuffix(keyARN, "/"+*ref)) }
	var marker *string
	for {
		page, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Marker: marker})
		if err != nil {
			return nil, fmt.Errorf("describe RDS instances in %s: %w", s.accountName(k.Consumer), err)
		}
		for _, db := range page.DBInstances {
			if on(db.KmsKeyId) {
				out = append(out, "RDS instance "+aws.ToString(db.DBInstanceIdentifier))
			}
		}
		if marker = page.Marker; marker == nil {
			break
		}
	}
	for {
		page, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{Marker: marker})
		if err != nil {
			return nil, fmt.Errorf("describe RDS clusters in %s: %w", s.accountName(k.Consumer), err)
		}
		for _, cl := range page.DBClusters {
			if on(cl.KmsKeyId) {
				out = append(out, "Aurora cluster "+aws.ToString(cl.DBClusterIdentifier))
			}
		}
		if marker = page.Marker; marker == nil {
			break
		}
	}
	return out, nil
}
