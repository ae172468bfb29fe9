package seed_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

const (
	security = "111111111111"
	dev      = "222222222222"
	prod     = "333333333333"
	day      = 24 * time.Hour
)

func seeded(t *testing.T) (*sandboxrun.Sandbox, seed.Result) {
	t.Helper()
	sb := sandboxrun.NewTest(t, false)
	est, err := seed.DemoEstate()
	if err != nil {
		t.Fatal(err)
	}
	res, err := seed.Apply(context.Background(), sb, est, seed.Demo())
	if err != nil {
		t.Fatal(err)
	}
	return sb, res
}

func kmsIn(sb *sandboxrun.Sandbox, account, region string) *kms.Client {
	cfg := sb.Config(context.Background(), account)
	if region != "" {
		cfg.Region = region
	}
	return kms.NewFromConfig(cfg)
}

func TestDemoSeedKeys(t *testing.T) {
	sb, res := seeded(t)
	ctx := context.Background()
	if len(res.Keys) != 6 || len(res.Existing) != 0 || !slices.Equal(res.Accounts, []string{security, dev, prod}) {
		t.Fatalf("result = %+v", res)
	}
	c := kmsIn(sb, security, "")
	wantAge := map[string]time.Duration{"alias/prod/s3": 400 * day, "alias/dev/dynamodb": 200 * day, "alias/dev/s3": 30 * day}
	for _, k := range res.Keys {
		out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.Alias)})
		if err != nil {
			t.Fatalf("%s: %v", k.Alias, err)
		}
		md := out.KeyMetadata
		if md.Origin != types.OriginTypeExternal || md.KeyState != types.KeyStateEnabled ||
			aws.ToString(md.CurrentKeyMaterialId) != k.KeyMaterialID || aws.ToString(md.Arn) != k.KeyARN {
			t.Errorf("%s: metadata %+v", k.Alias, md)
		}
		if age, ok := wantAge[k.Alias]; ok && sb.Now().Sub(aws.ToTime(md.CreationDate)).Round(day) != age {
			t.Errorf("%s: created %v, want %v ago", k.Alias, md.CreationDate, age)
		}
		if (k.Alias == "alias/prod/dynamodb") != aws.ToBool(md.MultiRegion) {
			t.Errorf("%s: MultiRegion = %v", k.Alias, aws.ToBool(md.MultiRegion))
		}
	}
	exp, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/dev/dynamodb")})
	if err != nil {
		t.Fatal(err)
	}
	if md := exp.KeyMetadata; md.ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires ||
		aws.ToTime(md.ValidTo).Sub(sb.Now()).Round(day) != 10*day {
		t.Fatalf("expiring key: model %s ValidTo %v", md.ExpirationModel, md.ValidTo)
	}
}

func TestDemoSeedReplica(t *testing.T) {
	sb, res := seeded(t)
	ctx := context.Background()
	i := slices.IndexFunc(res.Keys, func(k seed.Key) bool { return k.Alias == "alias/prod/dynamodb" })
	if i < 0 || len(res.Keys[i].Replicas) != 1 {
		t.Fatalf("prod/dynamodb replicas: %+v", res.Keys)
	}
	out, err := kmsIn(sb, security, "eu-central-1").DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/prod/dynamodb")})
	if err != nil {
		t.Fatal(err)
	}
	md := out.KeyMetadata
	if aws.ToString(md.KeyId) != res.Keys[i].KeyID || md.KeyState != types.KeyStateEnabled ||
		aws.ToString(md.Arn) != res.Keys[i].Replicas[0] || aws.ToString(md.CurrentKeyMaterialId) != res.Keys[i].KeyMaterialID {
		t.Fatalf("replica metadata %+v", md)
	}
}

// TestKeyPolicyAndRoles checks the estate's access paths: each consumer
// account may use its own environment's keys but not another's, and the
// verify role of dev (assumed from the Security account) may encrypt.
func TestKeyPolicyAndRoles(t *testing.T) {
	sb, _ := seeded(t)
	ctx := context.Background()
	devS3 := "arn:aws:kms:eu-west-1:111111111111:alias/dev/s3"
	in := &kms.EncryptInput{KeyId: aws.String(devS3), Plaintext: []byte("canary")}
	if _, err := kmsIn(sb, dev, "").Encrypt(ctx, in); err != nil {
		t.Fatalf("dev encrypting under its own key: %v", err)
	}
	_, err := kmsIn(sb, prod, "").Encrypt(ctx, in)
	var denied smithy.APIError
	if !errors.As(err, &denied) || denied.ErrorCode() != "AccessDeniedException" {
		t.Fatalf("prod encrypting under a dev key: %v, want AccessDeniedException", err)
	}
	secCfg := sb.Config(ctx, security)
	verifyCfg := sb.Config(ctx, security)
	verifyCfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(secCfg),
		"arn:aws:iam::222222222222:role/byok-verify"))
	if _, err := kms.NewFromConfig(verifyCfg).Encrypt(ctx, in); err != nil {
		t.Fatalf("dev verify role encrypting: %v", err)
	}
	opCfg := sb.Config(ctx, security)
	opCfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(secCfg),
		"arn:aws:iam::111111111111:role/byok-operator", func(o *stscreds.AssumeRoleOptions) { o.Duration = 8 * time.Hour }))
	tags, err := kms.NewFromConfig(opCfg).ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(keyID(t, sb, "alias/dev/s3"))})
	if err != nil || len(tags.Tags) != 3 {
		t.Fatalf("operator listing tags: %+v, %v", tags, err)
	}
}

func keyID(t *testing.T, sb *sandboxrun.Sandbox, alias string) string {
	out, err := kmsIn(sb, security, "").DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.KeyId)
}

func TestApplyIsIdempotent(t *testing.T) {
	sb, first := seeded(t)
	est, _ := seed.DemoEstate()
	again, err := seed.Apply(context.Background(), sb, est, seed.Demo())
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Keys) != 0 || len(again.Existing) != len(first.Keys) {
		t.Fatalf("second apply created %d keys, found %d existing", len(again.Keys), len(again.Existing))
	}
	out, err := kmsIn(sb, security, "").ListKeys(context.Background(), &kms.ListKeysInput{})
	if err != nil || len(out.Keys) != 6 {
		t.Fatalf("ListKeys after two seeds: %d keys, %v", len(out.Keys), err)
	}
	if m, ok := sb.Seeded(); !ok || m.Source != "demo" {
		t.Fatalf("seed mark = %+v, %v", m, ok)
	}
}

func TestBadMaterialHistory(t *testing.T) {
	cases := map[string]seed.Material{
		"expiry beyond 365 days after import": {Age: 400 * day, ExpiresIn: 10 * day},
		"negative age":                        {Age: -day},
	}
	est, _ := seed.DemoEstate()
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			sb := sandboxrun.NewTest(t, false)
			_, err := seed.Apply(context.Background(), sb, est, seed.Options{DefaultMaterial: m})
			if !errors.Is(err, seed.ErrBadMaterial) {
				t.Fatalf("got %v, want ErrBadMaterial", err)
			}
		})
	}
}

func TestResourcesHookRunsAfterKeys(t *testing.T) {
	sb := sandboxrun.NewTest(t, false)
	est, _ := seed.DemoEstate()
	opts := seed.Demo()
	var keysAtHook int
	opts.Resources = func(ctx context.Context, target seed.Target, e *estate.Estate) error {
		out, err := kms.NewFromConfig(target.Config(ctx, e.SecurityAccount)).ListKeys(ctx, &kms.ListKeysInput{})
		keysAtHook = len(out.Keys)
		return err
	}
	if _, err := seed.Apply(context.Background(), sb, est, opts); err != nil {
		t.Fatal(err)
	}
	if keysAtHook != 6 {
		t.Fatalf("resources hook saw %d keys, want 6", keysAtHook)
	}
}

func TestDemoEstateMatchesExample(t *testing.T) {
	want, err := os.ReadFile("../../../examples/estate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("internal/sandbox/seed/demo.yaml differs from examples/estate.yaml; copy the example over it")
	}
}
