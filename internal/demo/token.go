package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/pkcs11uri"
	"github.com/byok-dev/byok/internal/secret"
)

// Token settings. The PIN variable is the demo's own, so a user's
// BYOK_HSM_PIN is never overwritten.
const (
	DefaultModule = "/usr/lib/softhsm/libsofthsm2.so"
	tokenLabel    = "byok-demo"
	pinEnv        = "BYOK_DEMO_HSM_PIN"
	confEnv       = "SOFTHSM2_CONF"
	shmDir        = "/dev/shm"
)

// token is the demo's SoftHSM2 token: a softhsm2.conf in the demo
// directory, token files on /dev/shm when it exists (SoftHSM2 on disk
// spends ~90 ms per key generation in fsync), and the PIN only in this
// process's environment for the URI's pin-source.
type token struct {
	conf      string
	tokensDir string
	tmpTokens bool   // tokensDir is ours to remove
	pinFile   string // set for --keep: the PIN for other byok processes (0600)
	uri       *pkcs11uri.URI
	restore   func()
}

// newToken creates the token. With pinFile set the PIN is also written
// there (mode 0600) for byok commands run against a kept demo. On error
// nothing is left behind.
func newToken(ctx context.Context, dir, module, pinFile string) (*token, error) {
	if err := checkModule(module); err != nil {
		return nil, err
	}
	t := &token{uri: &pkcs11uri.URI{Token: tokenLabel, ModulePath: module,
		PINSource: pkcs11uri.PINSource{Kind: pkcs11uri.PINSourceEnv, Ref: pinEnv}}}
	if err := t.makeDirs(dir); err != nil {
		return nil, err
	}
	t.pinFile = pinFile
	if err := t.init(ctx, module); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func checkModule(module string) error {
	if _, err := os.Stat(module); err != nil {
		return &PrerequisiteError{What: "SoftHSM2 PKCS#11 module " + module, Err: err, Hint: setupHint}
	}
	return nil
}

func (t *token) makeDirs(dir string) error {
	if fi, err := os.Stat(shmDir); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp(shmDir, "byok-demo-tokens-"); err == nil {
			t.tokensDir, t.tmpTokens = d, true
		}
	}
	if t.tokensDir == "" {
		t.tokensDir = filepath.Join(dir, "tokens")
		if err := os.RemoveAll(t.tokensDir); err != nil {
			return fmt.Errorf("clear old demo token: %w", err)
		}
		if err := os.MkdirAll(t.tokensDir, 0o700); err != nil {
			return fmt.Errorf("create token directory: %w", err)
		}
	}
	t.conf = filepath.Join(dir, "softhsm2.conf")
	body := "# written by byok demo\ndirectories.tokendir = " + t.tokensDir + "\nobjectstore.backend = file\nlog.level = ERROR\n"
	if err := os.WriteFile(t.conf, []byte(body), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", t.conf, err)
	}
	return nil
}

// init sets SOFTHSM2_CONF and the PIN variable (both restored by close)
// and initialises the token through PKCS#11, so no PIN is on a command line.
func (t *token) init(ctx context.Context, module string) error {
	pin, err := randomPIN()
	if err != nil {
		return err
	}
	defer pin.Destroy()
	so, err := randomPIN()
	if err != nil {
		return err
	}
	defer so.Destroy()
	t.restore = setEnv(map[string]string{confEnv: t.conf, pinEnv: pin.RevealForHSMLogin()})
	if t.pinFile != "" {
		if err := os.WriteFile(t.pinFile, []byte(pin.RevealForHSMLogin()), 0o600); err != nil {
			return fmt.Errorf("write PIN file for --keep: %w", err)
		}
	}
	_, err = hsm.InitToken(ctx, module, hsm.Options{}, tokenLabel, so, pin)
	if errors.Is(err, hsm.ErrNoCgo) {
		return &PrerequisiteError{What: "PKCS#11 support", Err: err, Hint: "build byok with CGO_ENABLED=1 (make setup does)"}
	}
	var me *hsm.ModuleError
	if errors.As(err, &me) {
		return &PrerequisiteError{What: "SoftHSM2", Err: err, Hint: setupHint}
	}
	if err != nil {
		return fmt.Errorf("create demo token: %w", err)
	}
	return nil
}

func randomPIN() (secret.Value, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return secret.Value{}, fmt.Errorf("generate PIN: %w", err)
	}
	h := make([]byte, hex.EncodedLen(len(b)))
	hex.Encode(h, b)
	clear(b)
	return secret.New(h), nil
}

// keptURI is the token's URI for other processes: the PIN from the file.
func (t *token) keptURI() string {
	u := *t.uri
	u.PINSource = pkcs11uri.PINSource{Kind: pkcs11uri.PINSourceFile, Ref: t.pinFile}
	return u.String()
}

// setEnv sets vars and returns a function restoring their previous values.
func setEnv(vars map[string]string) func() {
	type prev struct {
		v  string
		ok bool
	}
	old := map[string]prev{}
	for k, v := range vars {
		pv, ok := os.LookupEnv(k)
		old[k] = prev{pv, ok}
		_ = os.Setenv(k, v)
	}
	return func() {
		for k, p := range old {
			if p.ok {
				_ = os.Setenv(k, p.v)
			} else {
				_ = os.Unsetenv(k)
			}
		}
	}
}

// close restores the environment and removes token files kept on /dev/shm.
func (t *token) close() {
	if t.restore != nil {
		t.restore()
		t.restore = nil
	}
	if t.pinFile != "" {
		_ = os.Remove(t.pinFile)
	}
	if t.tmpTokens {
		_ = os.RemoveAll(t.tokensDir)
		t.tmpTokens = false
	}
}
