package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
)

// seedKey creates one estate key unless its alias already exists. The
// sandbox clock is moved back by the material's age for the whole key so
// creation and import dates agree, and restored afterwards.
func seedKey(ctx context.Context, sb Target, est *estate.Estate, k estate.Key, opts Options, res *Result) error {
	m, err := opts.material(k.Alias)
	if err != nil {
		return err
	}
	if m.None && len(k.Replicas) > 0 {
		return fmt.Errorf("%w: %s is multi-Region; seed it with material", ErrBadMaterial, k.Alias)
	}
	c := client(ctx, sb, k.Account, k.Region)
	exists, err := aliasExists(ctx, c, k.Alias)
	if err != nil || exists {
		if exists {
			res.Existing = append(res.Existing, k.Alias)
		}
		return err
	}
	sb.AdvanceClock(-m.Age)
	defer sb.AdvanceClock(m.Age)
	policy, err := keyPolicy(est, k)
	if err != nil {
		return err
	}
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{
		Origin: types.OriginTypeExternal, MultiRegion: aws.Bool(len(k.Replicas) > 0), Policy: aws.String(policy),
		Description: aws.String(fmt.Sprintf("%s %s data key (BYOK: material imported from the HSM)", k.Env, k.Service)),
		Tags:        tags(k),
	})
	if err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	md := out.KeyMetadata
	sk := Key{Alias: k.Alias, KeyID: aws.ToString(md.KeyId), KeyARN: aws.ToString(md.Arn), Region: k.Region,
		ImportedAt: aws.ToTime(md.CreationDate)}
	if m.ExpiresIn > 0 {
		sk.ValidTo = sk.ImportedAt.Add(m.Age + m.ExpiresIn).Truncate(time.Second)
	}
	if m.None {
		sk.ImportedAt = time.Time{}
		if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(k.Alias), TargetKeyId: aws.String(sk.KeyID)}); err != nil {
			return fmt.Errorf("create alias: %w", err)
		}
	} else if err := finishKey(ctx, sb, c, k, policy, &sk); err != nil {
		return err
	}
	res.Keys = append(res.Keys, sk)
	return nil
}

// finishKey aliases the key, imports its material and replicates it.
func finishKey(ctx context.Context, sb Target, c *kms.Client, k estate.Key, policy string, sk *Key) error {
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(k.Alias), TargetKeyId: aws.String(sk.KeyID)}); err != nil {
		return fmt.Errorf("create alias: %w", err)
	}
	mat, err := newMaterial()
	if err != nil {
		return err
	}
	defer mat.destroy()
	if sk.KeyMaterialID, err = importMaterial(ctx, c, sk.KeyID, mat, sk.ValidTo, ""); err != nil {
		return err
	}
	for _, region := range k.Replicas {
		arn, err := replicate(ctx, sb, c, k, region, policy, sk, mat)
		if err != nil {
			return fmt.Errorf("replica in %s: %w", region, err)
		}
		sk.Replicas = append(sk.Replicas, arn)
	}
	return nil
}

// replicate creates the replica in region, aliases it there too (aliases
// are Regional) and imports the primary's material as EXISTING_KEY_MATERIAL,
// as AWS requires for multi-Region keys with imported material.
func replicate(ctx context.Context, sb Target, primary *kms.Client, k estate.Key, region, policy string, sk *Key, mat *material) (string, error) {
	out, err := primary.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: aws.String(sk.KeyID),
		ReplicaRegion: aws.String(region), Policy: aws.String(policy), Tags: tags(k)})
	if err != nil {
		return "", fmt.Errorf("replicate key: %w", err)
	}
	arn := aws.ToString(out.ReplicaKeyMetadata.Arn)
	rc := client(ctx, sb, k.Account, region)
	if _, err := rc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(k.Alias), TargetKeyId: aws.String(arn)}); err != nil {
		return "", fmt.Errorf("create alias: %w", err)
	}
	if _, err := importMaterial(ctx, rc, arn, mat, sk.ValidTo, types.ImportTypeExistingKeyMaterial); err != nil {
		return "", err
	}
	return arn, nil
}

func client(ctx context.Context, sb Target, account, region string) *kms.Client {
	cfg := sb.Config(ctx, account)
	cfg.Region = region
	return kms.NewFromConfig(cfg)
}

func aliasExists(ctx context.Context, c *kms.Client, alias string) (bool, error) {
	_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	var nf *types.NotFoundException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &nf):
		return false, nil
	}
	return false, fmt.Errorf("look up alias: %w", err)
}

func tags(k estate.Key) []types.Tag {
	return []types.Tag{
		{TagKey: aws.String("Environment"), TagValue: aws.String(k.Env)},
		{TagKey: aws.String("Service"), TagValue: aws.String(string(k.Service))},
		{TagKey: aws.String("ManagedBy"), TagValue: aws.String("byok")},
	}
}
