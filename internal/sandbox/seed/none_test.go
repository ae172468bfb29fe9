package seed_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// TestSeedWithoutMaterial: Material.None leaves the key aliased, backdated
// and PendingImport with no material, for byok to import its first.
func TestSeedWithoutMaterial(t *testing.T) {
	ctx := context.Background()
	sb := sandboxrun.NewTest(t, false)
	est, _ := seed.DemoEstate()
	opts := seed.Demo()
	opts.Material = map[string]seed.Material{"alias/dev/dynamodb": {Age: 200 * day, None: true}}
	res, err := seed.Apply(ctx, sb, est, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := kms.NewFromConfig(sb.Config(ctx, security))
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/dev/dynamodb")})
	if err != nil {
		t.Fatal(err)
	}
	md := d.KeyMetadata
	if md.KeyState != types.KeyStatePendingImport || aws.ToString(md.CurrentKeyMaterialId) != "" {
		t.Fatalf("key is %s with material %q, want PendingImport without material", md.KeyState, aws.ToString(md.CurrentKeyMaterialId))
	}
	if age := sb.Now().Sub(aws.ToTime(md.CreationDate)); age < 199*day || age > 201*day {
		t.Errorf("key created %v ago, want 200 days", age)
	}
	for _, k := range res.Keys {
		if k.Alias == "alias/dev/dynamodb" && (k.KeyMaterialID != "" || !k.ImportedAt.IsZero()) {
			t.Errorf("result says material %q imported at %v", k.KeyMaterialID, k.ImportedAt)
		}
	}
}

func TestSeedWithoutMaterialRefused(t *testing.T) {
	est, _ := seed.DemoEstate()
	cases := map[string]map[string]seed.Material{
		"no material but an expiry": {"alias/dev/s3": {None: true, ExpiresIn: 10 * day}},
		"multi-Region key":          {"alias/prod/dynamodb": {None: true}},
	}
	for name, mats := range cases {
		t.Run(name, func(t *testing.T) {
			sb := sandboxrun.NewTest(t, false)
			_, err := seed.Apply(context.Background(), sb, est, seed.Options{Material: mats})
			if !errors.Is(err, seed.ErrBadMaterial) {
				t.Fatalf("got %v, want ErrBadMaterial", err)
			}
		})
	}
}
