package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// The scan fixture: Security 111111111111 and three consumer accounts, one
// key per (env, service) seeded through the real SDK.
const (
	fxSec    = "111111111111"
	fxDev    = "222222222222"
	fxProd   = "333333333333"
	fxStage  = "444444444444"
	fxRegion = "eu-west-1"
	fxDay    = 24 * time.Hour
)

const fxEstateYAML = `security_account: "111111111111"
regions: [eu-west-1]
alias_format: "alias/{env}/{service}"
policy:
  max_material_age: 365d
  expiry_warning: 30d
  wrapping: {algorithm: RSAES_OAEP_SHA_1, key_spec: RSA_2048}
  strategy: in-place
hsm: "pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN"
roles:
  operator: "arn:aws:iam::111111111111:role/byok-operator"
  verify: "arn:aws:iam::{account}:role/byok-verify"
environments:
  dev:   {account: "222222222222"}
  prod:  {account: "333333333333"}
  stage: {account: "444444444444"}
services: [s3, rds, dynamodb]
`

// fixture is a running sandbox seeded with fxEstateYAML and the estate
// file the CLI reads.
type fixture struct {
	t          testing.TB
	sb         *sandboxrun.Sandbox
	estateFile string
	keys       map[string]string // alias → key ARN as seeded
	ctx        context.Context
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	sb := sandboxrun.NewTest(t, false)
	est, err := estate.Parse("scan-test.yaml", []byte(fxEstateYAML))
	if err != nil {
		t.Fatal(err)
	}
	opts := seed.Options{Source: "scan test", DefaultMaterial: seed.Material{Age: 30 * fxDay},
		Material: map[string]seed.Material{
			"alias/dev/rds":      {Age: 400 * fxDay},
			"alias/dev/dynamodb": {Age: 200 * fxDay, ExpiresIn: 10 * fxDay},
		}}
	res, err := seed.Apply(ctx, sb, est, opts)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	fx := &fixture{t: t, sb: sb, keys: map[string]string{}, ctx: ctx}
	for _, k := range res.Keys {
		fx.keys[k.Alias] = k.KeyARN
	}
	dir := t.TempDir()
	fx.estateFile = filepath.Join(dir, "byok.yaml")
	if err := os.WriteFile(fx.estateFile, []byte(fxEstateYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	fx.isolateEnv(dir)
	return fx
}

// isolateEnv points the SDK at the sandbox as the Security account's admin
// (byok assumes the operator and verify roles from there) and hides any
// ambient AWS configuration.
func (fx *fixture) isolateEnv(dir string) {
	empty := filepath.Join(dir, "empty-aws-config")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		fx.t.Fatal(err)
	}
	akid, secret := sandbox.AccountKeys(fxSec)
	for k, v := range map[string]string{"AWS_ENDPOINT_URL": fx.sb.URL(), "AWS_ACCESS_KEY_ID": akid,
		"AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "", "AWS_REGION": fxRegion, "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty, estate.EnvVar: "",
		"BYOK_STATE": filepath.Join(dir, "state.db"), "NO_COLOR": "1"} {
		fx.t.Setenv(k, v)
	}
}

func (fx *fixture) cfg(account string) aws.Config { return fx.sb.Config(fx.ctx, account) }

func (fx *fixture) kms(account string) *kms.Client { return kms.NewFromConfig(fx.cfg(account)) }

func (fx *fixture) rds(account string) *rds.Client { return rds.NewFromConfig(fx.cfg(account)) }

func (fx *fixture) ddb(account string) *dynamodb.Client {
	return dynamodb.NewFromConfig(fx.cfg(account))
}

func (fx *fixture) s3(account string) *s3.Client { return awsx.S3(fx.cfg(account)) }

func (fx *fixture) check(what string, err error) {
	fx.t.Helper()
	if err != nil {
		fx.t.Fatalf("%s: %v", what, err)
	}
}

// instance creates a Postgres instance; key "" without encrypted leaves it
// unencrypted.
func (fx *fixture) instance(account, id string, encrypted bool, key string) {
	in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t4g.micro"),
		Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("app"),
		StorageEncrypted: aws.Bool(encrypted)}
	if key != "" {
		in.KmsKeyId = aws.String(key)
	}
	_, err := fx.rds(account).CreateDBInstance(fx.ctx, in)
	fx.check("create DB instance "+id, err)
}

// aurora creates an Aurora cluster on key with one member instance.
func (fx *fixture) aurora(account, id, key string) {
	c := fx.rds(account)
	_, err := c.CreateDBCluster(fx.ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String(id),
		Engine: aws.String("aurora-postgresql"), MasterUsername: aws.String("app"), StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String(key)})
	fx.check("create DB cluster "+id, err)
	_, err = c.CreateDBInstance(fx.ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id + "-1"),
		DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("aurora-postgresql"), DBClusterIdentifier: aws.String(id)})
	fx.check("create cluster member "+id, err)
}

// table creates a DynamoDB table: sse nil keeps the AWS owned key.
func (fx *fixture) table(account, name string, sse *ddbtypes.SSESpecification) {
	_, err := fx.ddb(account).CreateTable(fx.ctx, &dynamodb.CreateTableInput{TableName: aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest, SSESpecification: sse})
	fx.check("create table "+name, err)
}

func kmsSSE(key string) *ddbtypes.SSESpecification {
	s := &ddbtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: ddbtypes.SSETypeKms}
	if key != "" {
		s.KMSMasterKeyId = aws.String(key)
	}
	return s
}

// bucket creates a bucket and sets its default encryption: alg AES256 or
// aws:kms with key given verbatim.
func (fx *fixture) bucket(account, name string, alg s3types.ServerSideEncryption, key string) {
	c := fx.s3(account)
	_, err := c.CreateBucket(fx.ctx, &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(fxRegion)}})
	fx.check("create bucket "+name, err)
	fx.setBucketKey(account, name, alg, key)
}

func (fx *fixture) setBucketKey(account, name string, alg s3types.ServerSideEncryption, key string) {
	def := &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: alg}
	if key != "" {
		def.KMSMasterKeyID = aws.String(key)
	}
	_, err := fx.s3(account).PutBucketEncryption(fx.ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(name),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
			Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: def}}}})
	fx.check("put bucket encryption "+name, err)
}

// legacyBucket creates a bucket without any default encryption through the
// S3 admin endpoint (only buckets from before 2023 can be in that state).
func (fx *fixture) legacyBucket(account, name string) {
	body, _ := json.Marshal(map[string]any{"account": account, "region": fxRegion, "name": name, "encryption": nil})
	resp, err := fx.sb.AdminClient().Post(fx.sb.URL()+"/_byok/s3/buckets", "application/json", bytes.NewReader(body))
	fx.check("seed legacy bucket", err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fx.t.Fatalf("seed legacy bucket %s: HTTP %d", name, resp.StatusCode)
	}
}

// newKeyRotation does what byok's new-key rotation does to alias: a new
// EXTERNAL key with the old key's policy and fresh material, the alias
// switched to it, and the old key tagged as superseded. It returns the
// new key's ARN.
func (fx *fixture) newKeyRotation(alias string) string {
	c := fx.kms(fxSec)
	old := fx.keys[alias]
	pol, err := c.GetKeyPolicy(fx.ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(old), PolicyName: aws.String("default")})
	fx.check("get key policy", err)
	nk, err := c.CreateKey(fx.ctx, &kms.CreateKeyInput{Origin: kmstypes.OriginTypeExternal, Policy: pol.Policy})
	fx.check("create key", err)
	newARN := aws.ToString(nk.KeyMetadata.Arn)
	fx.importMaterial(c, newARN)
	_, err = c.UpdateAlias(fx.ctx, &kms.UpdateAliasInput{AliasName: aws.String(alias), TargetKeyId: nk.KeyMetadata.KeyId})
	fx.check("update alias", err)
	_, err = c.TagResource(fx.ctx, &kms.TagResourceInput{KeyId: aws.String(old),
		Tags: []kmstypes.Tag{{TagKey: aws.String("byok:superseded-alias"), TagValue: aws.String(alias)}}})
	fx.check("tag old key", err)
	return newARN
}

// importMaterial wraps 32 random bytes (never kept) under the key's
// import public key and imports them, without expiry.
func (fx *fixture) importMaterial(c *kms.Client, keyARN string) {
	p, err := c.GetParametersForImport(fx.ctx, &kms.GetParametersForImportInput{KeyId: aws.String(keyARN),
		WrappingAlgorithm: kmstypes.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kmstypes.WrappingKeySpecRsa2048})
	fx.check("get parameters for import", err)
	pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
	fx.check("parse wrapping key", err)
	material := make([]byte, 32)
	_, _ = rand.Read(material)
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	clear(material)
	fx.check("wrap", err)
	_, err = c.ImportKeyMaterial(fx.ctx, &kms.ImportKeyMaterialInput{KeyId: aws.String(keyARN), ImportToken: p.ImportToken,
		EncryptedKeyMaterial: wrapped, ExpirationModel: kmstypes.ExpirationModelTypeKeyMaterialDoesNotExpire})
	fx.check("import key material", err)
}
