package rotation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// twoRegionEstate has one service of one environment in two Regions.
const twoRegionEstate = `security_account: "111111111111"
regions: [eu-west-1, eu-central-1]
policy:
  max_material_age: 365d
  expiry_warning: 30d
  wrapping: {algorithm: RSAES_OAEP_SHA_1, key_spec: RSA_2048}
  strategy: in-place
hsm: "pkcs11:token=unused?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN"
roles:
  operator: "arn:aws:iam::111111111111:role/byok-operator"
  verify: "arn:aws:iam::{account}:role/byok-verify"
environments:
  dev: {account: "222222222222"}
services: [s3]
`

// TestOneAliasTwoRegionsTwoObjects: an estate in two Regions has a key of
// the same alias in each; one run rotating both makes one HSM object per
// key (the other Region's label carries its Region), never one object
// imported into both keys, and neither key fails for the other's object.
func TestOneAliasTwoRegionsTwoObjects(t *testing.T) {
	y := twoRegionEstate
	est, err := estate.Parse("two-regions.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	w := newWorldFor(t, est, &seed.Options{Source: "labels", DefaultMaterial: seed.Material{Age: 400 * 24 * time.Hour}})
	w.eng.Concurrency = 2
	ctx := context.Background()
	keys := est.Keys()
	if len(keys) != 2 || keys[0].Alias != keys[1].Alias {
		t.Fatalf("estate keys %+v, want one alias in two Regions", keys)
	}
	id, err := w.eng.Start(ctx, rotation.Request{Keys: keys, Strategy: estate.StrategyInPlace, ChangeRef: "CHG-labels"})
	if err != nil {
		t.Fatalf("rotate one alias in two Regions: %v", err)
	}
	objs, err := w.hs.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]bool{}
	for _, o := range objs {
		if strings.Contains(o.Label, id.String()) {
			labels[o.Label] = true
		}
	}
	want := []string{"byok:" + id.String() + ":alias/dev/s3", "byok:" + id.String() + ":alias/dev/s3@eu-central-1"}
	if len(labels) != 2 || !labels[want[0]] || !labels[want[1]] {
		t.Fatalf("HSM objects of the run %v, want %v", labels, want)
	}
}

// TestReimportSecondaryRegionObject: the expiring material of a key
// outside the primary Region is re-imported from the object its run
// labelled with the Region, and from the alias-only label a run made
// before labels carried the Region (simulated by rotating the key as if
// it were primary).
func TestReimportSecondaryRegionObject(t *testing.T) {
	for name, legacy := range map[string]bool{"qualified label": false, "label of an older run": true} {
		t.Run(name, func(t *testing.T) {
			est, err := estate.Parse("two-regions.yaml", []byte(twoRegionEstate))
			if err != nil {
				t.Fatal(err)
			}
			w := newWorldFor(t, est, &seed.Options{Source: "labels", DefaultMaterial: seed.Material{Age: 400 * 24 * time.Hour}})
			ctx := context.Background()
			k := est.Keys()[1]
			if !k.Secondary {
				t.Fatalf("key %+v: want the secondary Region's", k)
			}
			rotated := k
			rotated.Secondary = !legacy
			run, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{rotated}, Strategy: estate.StrategyInPlace})
			if err != nil {
				t.Fatalf("rotate: %v", err)
			}
			arn := aws.ToString(w.describe(t, k.AliasARN(), k.Region).Arn)
			mat := aws.ToString(w.describe(t, arn, k.Region).CurrentKeyMaterialId)
			w.setExpiry(t, k, arn, run, mat, 10*24*time.Hour)
			plans, err := w.eng.PlanKeys(ctx, []estate.Key{k}, estate.StrategyInPlace)
			if err != nil {
				t.Fatal(err)
			}
			if want := rotation.KeyHSMLabel(run, k); len(plans[0].Expiring) != 1 || plans[0].Expiring[0].HSMLabel != want {
				t.Fatalf("expiring %+v, want one material labelled %s", plans[0].Expiring, want)
			}
			_, res, err := w.eng.Reimport(ctx, plans, "CHG-secondary")
			if err != nil || len(res) != 1 || !res[0].Verification.OK() {
				t.Fatalf("re-import: %+v, %v", res, err)
			}
		})
	}
}
