package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/pkcs11uri"
)

// projectSoftHSMDir is where byok hsm init puts its token by default,
// relative to the working directory (beside ./.byok/state.db).
var projectSoftHSMDir = filepath.Join(".byok", "softhsm")

// useProjectSoftHSM sets SOFTHSM2_CONF for this process to the
// project-local configuration byok hsm init wrote, when the module is
// SoftHSM2, the variable is unset and ./.byok/softhsm/softhsm2.conf exists,
// so that commands after hsm init find the token without the user
// exporting anything. It says so on stderr; a set SOFTHSM2_CONF always wins.
func useProjectSoftHSM(modulePath string, stderr io.Writer) error {
	if !isSoftHSM(modulePath) || os.Getenv("SOFTHSM2_CONF") != "" {
		return nil
	}
	conf, err := filepath.Abs(filepath.Join(projectSoftHSMDir, softHSMConfName))
	if err != nil {
		return nil
	}
	if fi, err := os.Stat(conf); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	if err := os.Setenv("SOFTHSM2_CONF", conf); err != nil {
		return fmt.Errorf("set SOFTHSM2_CONF: %w", err)
	}
	fmt.Fprintf(stderr, "byok: SOFTHSM2_CONF unset; using the project's token configuration %s (from byok hsm init)\n", conf)
	return nil
}

// isSoftHSM reports whether a PKCS#11 module path is SoftHSM2's
// (libsofthsm2.so under any directory).
func isSoftHSM(modulePath string) bool {
	return strings.Contains(strings.ToLower(filepath.Base(modulePath)), "softhsm")
}

// checkExistingTokenPIN logs in to an existing token with the PIN from
// $BYOK_HSM_PIN: hsm init must not say "already exists" and exit 0 when
// the next rotate would fail with CKR_PIN_INCORRECT.
func checkExistingTokenPIN(uri *pkcs11uri.URI, conf string, open func(*pkcs11uri.URI) (*hsm.Session, error)) error {
	s, err := open(uri)
	if err == nil {
		return s.Close()
	}
	if errors.Is(err, hsm.ErrWrongPIN) {
		return fmt.Errorf("token %q already exists in %s and $%s is not its user PIN: %w\n"+
			"  use the PIN it was created with, or, if that is lost, delete the token and create it again\n"+
			"  (this destroys the key material on it; material already imported stays usable in KMS, but can\n"+
			"  no longer be re-imported once it expires):\n"+
			"    SOFTHSM2_CONF=%s softhsm2-util --delete-token --token %s && byok hsm init",
			uri.Token, filepath.Dir(conf), hsmPINEnv, err, conf, uri.Token)
	}
	return fmt.Errorf("token %q already exists in %s but cannot be opened: %w", uri.Token, filepath.Dir(conf), err)
}
