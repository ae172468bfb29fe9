// Package hsmtest creates real software PKCS#11 tokens for tests: a SoftHSM2
// token in a temporary directory and an NSS softokn database. PINs are
// random per token and reach the token only through PKCS#11 or a password
// file, never a command line.
//
// A missing module skips the test with a loud message, except when CI is set:
// then it fails, so CI can never pass by silently skipping the HSM suite.
// It must not be imported by non-test code.
package hsmtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/pkcs11uri"
	"github.com/byok-dev/byok/internal/secret"
)

// Token is a test token ready for hsm.Open.
type Token struct {
	Name       string // "softhsm2" or "nss"
	URI        string
	PIN        string // the user PIN, so tests can assert it never leaks
	PINFile    string // the pin-source file (mode 0600)
	ModulePath string
	Dir        string
	// Algorithm is the OAEP variant this token wraps with.
	Algorithm hsm.WrappingAlgorithm
	// Unsupported is a KMS algorithm this token cannot do.
	Unsupported hsm.WrappingAlgorithm
	// Supported is every KMS algorithm the token can do, as Check reports it.
	Supported []hsm.WrappingAlgorithm
}

// ParsedURI parses tok.URI.
func (tok *Token) ParsedURI(t testing.TB) *pkcs11uri.URI {
	t.Helper()
	u, err := pkcs11uri.Parse(tok.URI)
	if err != nil {
		t.Fatalf("parse test token URI: %v", err)
	}
	return u
}

// SoftHSMModules and NSSModules are where Debian/Ubuntu and Fedora put the
// modules.
var (
	SoftHSMModules = []string{"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib64/pkcs11/libsofthsm2.so"}
	NSSModules     = []string{"/usr/lib/x86_64-linux-gnu/libsoftokn3.so", "/usr/lib/aarch64-linux-gnu/libsoftokn3.so", "/usr/lib64/libsoftokn3.so"}
)

// SoftHSMLabel is the label of the token NewSoftHSM creates.
const SoftHSMLabel = "byok-test"

// NSSLabel is the label of NSS softokn's key database token (non-FIPS mode).
const NSSLabel = "NSS Certificate DB"

// NewSoftHSM creates a SoftHSM2 token in t.TempDir() and points
// SOFTHSM2_CONF at it (so the test must not be parallel).
func NewSoftHSM(t testing.TB) *Token {
	t.Helper()
	module := findModule(t, "SoftHSM2 (apt-get install softhsm2)", SoftHSMModules)
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	writeFile(t, conf, "directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n")
	t.Setenv("SOFTHSM2_CONF", conf)
	tok := &Token{Name: "softhsm2", PIN: randomPIN(t), ModulePath: module, Dir: dir, Algorithm: hsm.RSAES_OAEP_SHA_1,
		Unsupported: hsm.RSAES_OAEP_SHA_256, Supported: []hsm.WrappingAlgorithm{hsm.RSAES_OAEP_SHA_1}}
	so := secret.FromString(randomPIN(t))
	defer so.Destroy()
	if _, err := hsm.InitToken(context.Background(), module, hsm.Options{}, SoftHSMLabel, so, secret.FromString(tok.PIN)); err != nil {
		t.Fatalf("init SoftHSM2 token: %v", err)
	}
	tok.PINFile = filepath.Join(dir, "pin")
	writeFile(t, tok.PINFile, tok.PIN+"\n")
	tok.URI = (&pkcs11uri.URI{Token: SoftHSMLabel, ModulePath: module,
		PINSource: pkcs11uri.PINSource{Kind: pkcs11uri.PINSourceFile, Ref: tok.PINFile}}).String()
	return tok
}

// NewNSS creates an NSS sql: database in t.TempDir() with certutil -N, its
// password given in a file (-f), never on the command line.
func NewNSS(t testing.TB) *Token {
	t.Helper()
	module := findModule(t, "NSS softokn (apt-get install libnss3)", NSSModules)
	certutil, err := exec.LookPath("certutil")
	if err != nil {
		skipOrFail(t, "certutil (apt-get install libnss3-tools) is not installed")
	}
	dir := t.TempDir()
	tok := &Token{Name: "nss", PIN: randomPIN(t), ModulePath: module, Dir: dir, Algorithm: hsm.RSAES_OAEP_SHA_256,
		Unsupported: hsm.RSA_AES_KEY_WRAP_SHA_256, Supported: []hsm.WrappingAlgorithm{hsm.RSAES_OAEP_SHA_256, hsm.RSAES_OAEP_SHA_1}}
	tok.PINFile = filepath.Join(dir, "pin")
	writeFile(t, tok.PINFile, tok.PIN+"\n")
	out, err := exec.Command(certutil, "-N", "-d", "sql:"+dir, "-f", tok.PINFile).CombinedOutput()
	if err != nil {
		t.Fatalf("certutil -N -d sql:%s: %v\n%s", dir, err, out)
	}
	tok.URI = (&pkcs11uri.URI{Token: NSSLabel, ModulePath: module, NSSDir: dir,
		PINSource: pkcs11uri.PINSource{Kind: pkcs11uri.PINSourceFile, Ref: tok.PINFile}}).String()
	return tok
}

// All returns a constructor per token type, keyed by name, for contract suites.
func All() map[string]func(testing.TB) *Token {
	return map[string]func(testing.TB) *Token{"softhsm2": NewSoftHSM, "nss": NewNSS}
}

func findModule(t testing.TB, what string, candidates []string) string {
	t.Helper()
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	skipOrFail(t, what+" is not installed; looked in "+strings.Join(candidates, ", "))
	return ""
}

// skipOrFail skips loudly, or fails when CI is set.
func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("HSM TEST TOKEN MISSING on CI: %s", msg)
	}
	t.Skipf("!!!!!!!! SKIPPING HSM TEST: %s (install it; on CI this fails) !!!!!!!!", msg)
}

func randomPIN(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "pin" + hex.EncodeToString(b)
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
