package rotation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// TestOneAliasTwoRegionsTwoObjects: an estate in two Regions has a key of
// the same alias in each; one run rotating both makes one HSM object per
// key (the other Region's label carries its Region), never one object
// imported into both keys, and neither key fails for the other's object.
func TestOneAliasTwoRegionsTwoObjects(t *testing.T) {
	y := `security_account: "111111111111"
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
