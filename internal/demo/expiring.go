package demo

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/sandbox/seed"
	"github.com/byok-dev/byok/internal/store"
)

// The demo's expiring key: its material comes from the demo's own HSM,
// imported through byok's transport ~200 days ago with a ValidTo 10 days
// from now, so byok knows its HSM object and the rotation phase can
// re-import it without expiry (the real remedy: a rotation would leave the
// old material's ValidTo in place, and when any material of a key expires
// the whole key stops working).
const (
	expiringAlias = "alias/dev/dynamodb"
	expiringAge   = 200 * 24 * time.Hour
	expiringIn    = 10 * 24 * time.Hour
)

// seedOptions is the seed's demo history, except that the expiring key is
// created without material: setup imports it from the demo token before
// the resources that use it are created.
func (w *world) seedOptions() seed.Options {
	so := seed.Demo()
	so.Material = maps.Clone(so.Material)
	so.Material[expiringAlias] = seed.Material{Age: expiringAge, None: true}
	so.Resources = func(ctx context.Context, t seed.Target, est *estate.Estate) error {
		if err := w.importExpiring(ctx, t, est); err != nil {
			return fmt.Errorf("import the expiring key's material from the demo HSM: %w", err)
		}
		return w.opts.Resources(ctx, t, est)
	}
	return so
}

// importExpiring generates the expiring key's material in the demo token
// and imports it as byok import would (description = an import run ID,
// HSM label byok:<run>:<alias>), with the sandbox clock moved back by
// expiringAge and restored afterwards.
func (w *world) importExpiring(ctx context.Context, t seed.Target, est *estate.Estate) error {
	k, err := keyByAlias(est, expiringAlias)
	if err != nil {
		return err
	}
	alg, err := hsm.ParseWrappingAlgorithm(est.Policy.Wrapping.Algorithm)
	if err != nil {
		return err
	}
	now := time.Now()
	run := store.NewRunID(now.Add(-expiringAge))
	cfg := t.Config(ctx, est.SecurityAccount)
	cfg.Region = k.Region
	c := kms.NewFromConfig(cfg)
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.AliasARN())}) // imports take no alias
	if err != nil {
		return fmt.Errorf("describe %s: %w", k.Alias, err)
	}
	im := &keyimport.Importer{KMS: c, HSM: w.hsm, Algorithm: alg, KeySpec: est.Policy.Wrapping.KeySpec, Logger: w.opts.Logger}
	t.AdvanceClock(-expiringAge)
	defer t.AdvanceClock(expiringAge)
	validTo := now.Add(expiringIn).UTC().Truncate(time.Second) // 210 days after the backdated import
	_, err = im.Run(ctx, keyimport.Request{KeyID: aws.ToString(d.KeyMetadata.Arn),
		Source: keyimport.Source{Label: keyimport.Label(run.String(), k.Alias), Generate: true},
		Import: keyimport.Import{Type: types.ImportTypeNewKeyMaterial, Description: run.String(), ValidTo: &validTo}})
	return err
}

func keyByAlias(est *estate.Estate, alias string) (estate.Key, error) {
	for _, k := range est.Keys() {
		if k.Alias == alias {
			return k, nil
		}
	}
	return estate.Key{}, fmt.Errorf("%s is not an estate key", alias)
}
