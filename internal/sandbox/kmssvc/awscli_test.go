package kmssvc_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/sandbox"
)

// TestAWSCLI drives Debian's AWS CLI (an independent client: botocore's
// own JSON 1.1 and SigV4 code) through the import flow.
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds per call")
	}
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatal("/usr/bin/aws is missing: install it with apt-get install awscli (the setup script does)")
	}
	h := newHarness(t, "")
	dir := t.TempDir()
	akid, secret := sandbox.AccountKeys(acctA)
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID="+akid, "AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_DEFAULT_REGION="+region, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_PAGER=", "HOME="+dir)
	aws := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("/usr/bin/aws", append([]string{"--endpoint-url", h.url, "--output", "json", "kms"}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws kms %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		var m map[string]any
		if len(out) > 0 {
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("aws kms %s output: %v\n%s", args[0], err, out)
			}
		}
		return m
	}
	aws("list-keys")
	md := aws("create-key", "--origin", "EXTERNAL")["KeyMetadata"].(map[string]any)
	id := md["KeyId"].(string)
	p := aws("get-parameters-for-import", "--key-id", id, "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048")
	pub, _ := base64.StdEncoding.DecodeString(p["PublicKey"].(string))
	tok, _ := base64.StdEncoding.DecodeString(p["ImportToken"].(string))
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return "fileb://" + path
	}
	wrapped := wrap(t, pub, types.AlgorithmSpecRsaesOaepSha256, randomMaterial(t, 32))
	aws("import-key-material", "--key-id", id, "--encrypted-key-material", write("mat.bin", wrapped),
		"--import-token", write("token.bin", tok), "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE")
	enc := aws("encrypt", "--key-id", id, "--plaintext", write("pt.bin", []byte("cli canary")))
	ct, _ := base64.StdEncoding.DecodeString(enc["CiphertextBlob"].(string))
	dec := aws("decrypt", "--ciphertext-blob", write("ct.bin", ct))
	if got, _ := base64.StdEncoding.DecodeString(dec["Plaintext"].(string)); string(got) != "cli canary" {
		t.Fatalf("CLI decrypt = %q", got)
	}
}
