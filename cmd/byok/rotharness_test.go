package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
	"github.com/byok-dev/byok/internal/sandbox"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
)

// rotEstateYAML is a one-key estate for the process tests: prod DynamoDB,
// multi-Region (so the import-replicas step exists), wrapped with OAEP
// SHA-1 (SoftHSM2) under RSA_2048 (fast sandbox key generation; the key
// size is not what these tests are about).
const rotEstateYAML = `security_account: "111111111111"
regions: [eu-west-1]
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
  dev:  {account: "222222222222"}
  prod: {account: "333333333333"}
services: [dynamodb, s3]
multi_region:
  - {env: prod, service: dynamodb, replicas: [eu-central-1]}
`

var (
	rotBinOnce sync.Once
	rotBinDir  string
	rotBinPath string
	rotBinErr  error
)

// TestMain removes the byok binary the process tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if rotBinDir != "" {
		os.RemoveAll(rotBinDir)
	}
	os.Exit(code)
}

// rotOrigTmp is the temporary directory before any test moved TMPDIR.
var rotOrigTmp = os.TempDir()

// rotBinary builds the real byok binary once per test process.
func rotBinary(t *testing.T) string {
	t.Helper()
	rotBinOnce.Do(func() {
		// Not t.TempDir: the binary outlives the test that builds it.
		dir, err := os.MkdirTemp(rotOrigTmp, "byok-rotate-bin")
		if err != nil {
			rotBinErr = err
			return
		}
		rotBinDir, rotBinPath = dir, filepath.Join(dir, "byok")
		out, err := exec.Command("go", "build", "-tags", "byokfailpoints", "-o", rotBinPath, ".").CombinedOutput()
		if err != nil {
			rotBinErr = &exec.Error{Name: "go build: " + string(out), Err: err}
		}
	})
	if rotBinErr != nil {
		t.Fatalf("build byok: %v", rotBinErr)
	}
	return rotBinPath
}

// rotWorld is a sandbox seeded with rotEstateYAML, a SoftHSM2 token and a
// state file, with the process environment pointing at them.
type rotWorld struct {
	sb        *sandboxrun.Sandbox
	est       *estate.Estate
	tok       *hsmtest.Token
	dir       string
	estFile   string
	statePath string
	seeded    seed.Result
	output    bytes.Buffer // everything every byok run printed
}

func rotShm(t *testing.T) {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err != nil || !fi.IsDir() {
		return
	}
	dir, err := os.MkdirTemp("/dev/shm", "byok-cmd-test")
	if err != nil {
		return
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("TMPDIR", dir)
}

// newRotWorld starts the sandbox in this process (the binary reaches it
// over HTTP on 127.0.0.1) and seeds it; tok is shared when given.
func newRotWorld(t *testing.T, tok *hsmtest.Token) *rotWorld {
	t.Helper()
	return newRotWorldSeeded(t, tok, seed.Options{Source: "test", DefaultMaterial: seed.Material{Age: 30 * 24 * time.Hour}})
}

// newRotWorldSeeded is newRotWorld with the keys' materials of opts.
func newRotWorldSeeded(t *testing.T, tok *hsmtest.Token, opts seed.Options) *rotWorld {
	t.Helper()
	ctx := context.Background()
	w := &rotWorld{sb: sandboxrun.NewTest(t, false), dir: t.TempDir(), tok: tok}
	est, err := estate.Parse("rot.yaml", []byte(rotEstateYAML))
	if err != nil {
		t.Fatal(err)
	}
	w.est = est
	if w.seeded, err = seed.Apply(ctx, w.sb, est, opts); err != nil {
		t.Fatal(err)
	}
	w.estFile = filepath.Join(w.dir, "byok.yaml")
	w.statePath = filepath.Join(w.dir, "state.db")
	if err := os.WriteFile(w.estFile, []byte(rotEstateYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	if w.tok == nil {
		w.tok = hsmtest.NewSoftHSM(t)
	}
	w.isolate(t)
	return w
}

func (w *rotWorld) isolate(t *testing.T) {
	t.Helper()
	for _, name := range []string{"aws-config", "aws-credentials"} {
		if err := os.WriteFile(filepath.Join(w.dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	akid, secret := sandbox.AccountKeys(w.est.SecurityAccount)
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(w.dir, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(w.dir, "aws-credentials"),
		"AWS_ENDPOINT_URL": w.sb.URL(), "AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret,
		"AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_REGION": w.sb.Region(),
		"BYOK_ESTATE": w.estFile, "BYOK_STATE": w.statePath, "BYOK_HSM": w.tok.URI, "BYOK_FAILPOINT": "",
	} {
		t.Setenv(k, v)
	}
}

// exec runs the binary with extra environment; it returns the exit code
// and whether SIGKILL ended it.
func (w *rotWorld) exec(t *testing.T, env []string, args ...string) (code int, killed bool, out string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, rotBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	w.output.Write(buf.Bytes())
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, ws.Signal() == syscall.SIGKILL, buf.String()
	}
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("byok %s: %v", strings.Join(args, " "), err)
	}
	return cmd.ProcessState.ExitCode(), false, buf.String()
}

// execStdout runs the binary and returns its exit code, its standard
// output alone (what a pipe would parse) and both streams together.
func (w *rotWorld) execStdout(t *testing.T, args ...string) (code int, stdout, out string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, rotBinary(t), args...)
	var so, both bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&so, &both), &both
	err := cmd.Run()
	w.output.Write(both.Bytes())
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("byok %s: %v", strings.Join(args, " "), err)
	}
	return cmd.ProcessState.ExitCode(), so.String(), both.String()
}

// inproc runs byok in this process through run().
func (w *rotWorld) inproc(args ...string) (int, string) {
	var buf bytes.Buffer
	code := run(context.Background(), args, &buf, &buf)
	w.output.Write(buf.Bytes())
	return code, buf.String()
}

func (w *rotWorld) kms(region string) *kms.Client {
	cfg := w.sb.Config(context.Background(), w.est.SecurityAccount)
	cfg.Region = region
	return kms.NewFromConfig(cfg)
}

// materials returns (current, every material) of a key.
func (w *rotWorld) materials(t *testing.T, arn, region string) (string, []types.RotationsListEntry) {
	t.Helper()
	ctx := context.Background()
	c := w.kms(region)
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(arn), IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(d.KeyMetadata.CurrentKeyMaterialId), rs.Rotations
}
