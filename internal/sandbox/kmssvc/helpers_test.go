package kmssvc_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"hash"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/conformance/backend"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/identity"
	kmssvc "github.com/byok-dev/byok/internal/sandbox/kmssvc"
)

const (
	acctA   = "111111111111"
	acctB   = "222222222222"
	region  = "eu-west-1"
	region2 = "eu-central-1"
)

type harness struct {
	srv  *sandbox.Server
	kms  *kmssvc.Service
	url  string
	a, b *kms.Client
	// Set by eachBackend: the backend and its accounts and Region.
	be              *backend.Backend
	accA, accB, reg string
}

func newHarness(t testing.TB, statePath string) *harness {
	t.Helper()
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	srv, err := sandbox.New(sandbox.Options{StatePath: statePath})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{srv: srv}
	attachKMS(t, h)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); _ = srv.Close() })
	h.url = ts.URL
	h.a = h.client(t, h.cred(t, acctA), region)
	h.b = h.client(t, h.cred(t, acctB), region)
	h.accA, h.accB, h.reg = acctA, acctB, region
	return h
}

// attachKMS registers a KMS service on h.srv as the sandbox CLI does.
func attachKMS(t testing.TB, h *harness) {
	t.Helper()
	svc, err := kmssvc.New(h.srv.Env)
	if err != nil {
		t.Fatal(err)
	}
	h.srv.Register(svc)
	h.srv.Faults.Register("kms", kmssvc.Quotas(), kmssvc.ThrottleError)
	h.kms = svc
	t.Cleanup(svc.Close)
	if _, err := h.srv.AddAccount(acctA); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) cred(t testing.TB, account string) identity.Credential {
	t.Helper()
	c, err := h.srv.AddAccount(account)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (h *harness) client(t testing.TB, c identity.Credential, reg string) *kms.Client {
	t.Helper()
	return kms.New(kms.Options{Region: reg, BaseEndpoint: aws.String(h.url),
		Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.Secret, c.SessionToken)})
}

// roleClient registers role in account B trusted by B and returns a client
// with AssumeRole session credentials for it.
func (h *harness) roleClient(t *testing.T, account, name string) (*kms.Client, string) {
	t.Helper()
	srv := h.sandbox(t, "IAM roles are registered through the sandbox; on AWS they would be deployed beforehand")
	arn := "arn:aws:iam::" + account + ":role/" + name
	if err := srv.Env.IAM.AddRole(identity.Role{ARN: arn, Account: account, Name: name, Trusted: []string{account}}); err != nil {
		t.Fatal(err)
	}
	base, ok := srv.AccountCredential(account)
	if !ok {
		t.Fatalf("no credential for %s", account)
	}
	c, err := srv.Env.IAM.AssumeRole(base.Principal, arn, "test", time.Hour, srv.Env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return kms.New(kms.Options{Region: h.reg, BaseEndpoint: aws.String(h.endpoint(t)),
		Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.Secret, c.SessionToken)}), arn
}

var ctx = context.Background()

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantErr asserts err is the SDK's typed exception *E.
func wantErr[E error](t *testing.T, err error) E {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Fatalf("got error %v (%T), want %T", err, err, target)
	}
	return target
}

func newExternalKey(t *testing.T, c *kms.Client, multiRegion bool) string {
	t.Helper()
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, MultiRegion: aws.Bool(multiRegion)})
	noErr(t, err)
	return *out.KeyMetadata.KeyId
}

func randomMaterial(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

type importOpts struct {
	alg        types.AlgorithmSpec
	spec       types.WrappingKeySpec
	importType types.ImportType
	validTo    *time.Time
	desc       *string
}

// params fetches import parameters for keyID.
func params(t *testing.T, c *kms.Client, keyID string, o importOpts) *kms.GetParametersForImportOutput {
	t.Helper()
	if o.alg == "" {
		o.alg = types.AlgorithmSpecRsaesOaepSha256
	}
	if o.spec == "" {
		o.spec = types.WrappingKeySpecRsa2048
	}
	out, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: &keyID, WrappingAlgorithm: o.alg, WrappingKeySpec: o.spec})
	noErr(t, err)
	return out
}

// importMaterial wraps material as the test-side HSM stand-in and imports it.
func importMaterial(t *testing.T, c *kms.Client, keyID string, material []byte, o importOpts) (*kms.ImportKeyMaterialOutput, error) {
	t.Helper()
	if o.alg == "" {
		o.alg = types.AlgorithmSpecRsaesOaepSha256
	}
	p := params(t, c, keyID, o)
	in := &kms.ImportKeyMaterialInput{KeyId: &keyID, ImportToken: p.ImportToken,
		EncryptedKeyMaterial: wrap(t, p.PublicKey, o.alg, material), ImportType: o.importType,
		KeyMaterialDescription: o.desc, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}
	if o.validTo != nil {
		in.ExpirationModel, in.ValidTo = types.ExpirationModelTypeKeyMaterialExpires, o.validTo
	}
	return c.ImportKeyMaterial(ctx, in)
}

func wrap(t *testing.T, pubDER []byte, alg types.AlgorithmSpec, material []byte) []byte {
	t.Helper()
	k, err := x509.ParsePKIXPublicKey(pubDER)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.(*rsa.PublicKey)
	var h hash.Hash = sha256.New()
	if alg == types.AlgorithmSpecRsaesOaepSha1 || alg == types.AlgorithmSpecRsaAesKeyWrapSha1 {
		h = sha1.New()
	}
	switch alg {
	case types.AlgorithmSpecRsaesOaepSha1, types.AlgorithmSpecRsaesOaepSha256:
		out, err := rsa.EncryptOAEP(h, rand.Reader, pub, material, nil)
		noErr(t, err)
		return out
	}
	kek := randomMaterial(t, 32)
	head, err := rsa.EncryptOAEP(h, rand.Reader, pub, kek, nil)
	noErr(t, err)
	return append(head, wrapKWP(t, kek, material)...)
}

// wrapKWP is RFC 5649 AES key wrap with padding (test-side).
func wrapKWP(t *testing.T, kek, p []byte) []byte {
	t.Helper()
	blk, err := aes.NewCipher(kek)
	noErr(t, err)
	var a [8]byte
	copy(a[:4], []byte{0xA6, 0x59, 0x59, 0xA6})
	binary.BigEndian.PutUint32(a[4:], uint32(len(p)))
	padded := append(bytes.Clone(p), make([]byte, (8-len(p)%8)%8)...)
	n := len(padded) / 8
	if n == 1 {
		out := make([]byte, 16)
		blk.Encrypt(out, append(a[:], padded...))
		return out
	}
	r := padded
	var b [16]byte
	for j := 0; j <= 5; j++ {
		for i := 1; i <= n; i++ {
			copy(b[:8], a[:])
			copy(b[8:], r[(i-1)*8:i*8])
			blk.Encrypt(b[:], b[:])
			binary.BigEndian.PutUint64(a[:], binary.BigEndian.Uint64(b[:8])^uint64(n*j+i))
			copy(r[(i-1)*8:i*8], b[8:])
		}
	}
	return append(a[:], r...)
}

func describe(t *testing.T, c *kms.Client, keyID string) *types.KeyMetadata {
	t.Helper()
	out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &keyID})
	noErr(t, err)
	return out.KeyMetadata
}

func encryptWith(t *testing.T, c *kms.Client, keyID string, pt []byte) []byte {
	t.Helper()
	out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &keyID, Plaintext: pt})
	noErr(t, err)
	return out.CiphertextBlob
}

func rotations(t *testing.T, c *kms.Client, keyID string) []types.RotationsListEntry {
	t.Helper()
	out, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &keyID, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	noErr(t, err)
	return out.Rotations
}

func wantAPICode(t *testing.T, err error, code string) {
	t.Helper()
	var ae interface{ ErrorCode() string }
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}
