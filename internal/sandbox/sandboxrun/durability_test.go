package sandboxrun_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/byok-dev/byok/internal/sandbox"
)

func cfgFor(url, account string) aws.Config {
	akid, secret := sandbox.AccountKeys(account)
	return aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")}
}

// acked is what the first process acknowledged before it was killed.
type acked struct {
	keyID, materialID, policy, eventID string
	ciphertext                         []byte
	session                            aws.Credentials
}

// TestSurvivesSIGKILL makes state-changing calls against `byok sandbox
// --state`, kills it with SIGKILL, restarts it on the same file and checks
// that keys, materials, aliases, tags, policies, sessions and the trail are
// all still there, and that the seed is not applied twice.
func TestSurvivesSIGKILL(t *testing.T) {
	state := filepath.Join(t.TempDir(), "sandbox.state")
	first := startChild(t, "--state", state, "--seed", "demo")
	if !first.said("# seeded demo") {
		t.Fatalf("first start did not seed: %q", first.output)
	}
	a := mutate(t, first.url)
	first.kill(t)

	second := startChild(t, "--state", state, "--seed", "demo")
	if !second.said("# state already seeded from demo") || second.said("# seeded") {
		t.Fatalf("restart re-seeded or did not say so: %q", second.output)
	}
	check(t, second.url, a)
}

func mutate(t *testing.T, url string) acked {
	t.Helper()
	ctx := context.Background()
	c := kms.NewFromConfig(cfgFor(url, "111111111111"))
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}]}`
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal,
		Tags: []types.Tag{{TagKey: aws.String("durable"), TagValue: aws.String("yes")}}})
	if err != nil {
		t.Fatal(err)
	}
	a := acked{keyID: aws.ToString(out.KeyMetadata.KeyId), policy: policy}
	a.materialID = importRandom(t, c, a.keyID)
	steps := []error{
		second(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/durable"), TargetKeyId: &a.keyID})),
		second(c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &a.keyID, Policy: &policy, PolicyName: aws.String("default")})),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/durable"), Plaintext: []byte("survives")})
	if err != nil {
		t.Fatal(err)
	}
	a.ciphertext = enc.CiphertextBlob
	role, err := sts.NewFromConfig(cfgFor(url, "111111111111")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::222222222222:role/byok-verify"), RoleSessionName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	rc := role.Credentials
	a.session = aws.Credentials{AccessKeyID: *rc.AccessKeyId, SecretAccessKey: *rc.SecretAccessKey, SessionToken: *rc.SessionToken}
	a.eventID = lastEventID(t, url, "Encrypt", a.keyID)
	return a
}

func second[T any](_ T, err error) error { return err }

func importRandom(t *testing.T, c *kms.Client, keyID string) string {
	t.Helper()
	ctx := context.Background()
	p, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: &keyID,
		WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	material := make([]byte, 32)
	_, _ = rand.Read(material)
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	clear(material)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &keyID, ImportToken: p.ImportToken,
		EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMaterialId)
}

func lastEventID(t *testing.T, url, name, keyID string) string {
	t.Helper()
	out, err := cloudtrail.NewFromConfig(cfgFor(url, "111111111111")).LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: &keyID}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range out.Events {
		if aws.ToString(e.EventName) == name {
			return aws.ToString(e.EventId)
		}
	}
	t.Fatalf("no %s event for %s among %d", name, keyID, len(out.Events))
	return ""
}

func check(t *testing.T, url string, a acked) {
	t.Helper()
	ctx := context.Background()
	c := kms.NewFromConfig(cfgFor(url, "111111111111"))
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/durable")})
	if err != nil || aws.ToString(d.KeyMetadata.KeyId) != a.keyID || aws.ToString(d.KeyMetadata.CurrentKeyMaterialId) != a.materialID {
		t.Fatalf("alias/durable after restart: %+v, %v", d, err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: a.ciphertext})
	if err != nil || !bytes.Equal(dec.Plaintext, []byte("survives")) {
		t.Fatalf("decrypt after restart: %v", err)
	}
	tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &a.keyID})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].TagValue) != "yes" {
		t.Fatalf("tags after restart: %+v, %v", tags, err)
	}
	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &a.keyID})
	if err != nil || aws.ToString(pol.Policy) != a.policy {
		t.Fatalf("policy after restart: %v, %v", pol, err)
	}
	keys, err := c.ListKeys(ctx, &kms.ListKeysInput{})
	if err != nil || len(keys.Keys) != 7 {
		t.Fatalf("ListKeys after restart: %d keys (want 6 seeded + 1), %v", len(keys.Keys), err)
	}
	if got := lastEventID(t, url, "Encrypt", a.keyID); got != a.eventID {
		t.Fatalf("trail after restart: Encrypt event %s, want %s", got, a.eventID)
	}
	sess := sts.NewFromConfig(aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.StaticCredentialsProvider{Value: a.session}})
	id, err := sess.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "222222222222" {
		t.Fatalf("session after restart: %v, %v", id, err)
	}
}
