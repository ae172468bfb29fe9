//go:build cgo

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
)

// TestHSMInitListCheck drives the three hsm commands against a real
// SoftHSM2 token created by `byok hsm init`.
func TestHSMInitListCheck(t *testing.T) {
	hsmtest.NewSoftHSM(t) // skips or fails (CI) when SoftHSM2 is missing; also saves SOFTHSM2_CONF
	const pin = "cli-test-pin-9731"
	t.Setenv(hsmPINEnv, pin)
	t.Setenv(hsmURIEnv, "")
	dir := filepath.Join(t.TempDir(), "softhsm")
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := hsmInit(ctx, []string{"--dir", dir}, &out, &errOut); err != nil {
		t.Fatalf("hsm init: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), `created token "byok"`) || !strings.Contains(out.String(), "export SOFTHSM2_CONF="+filepath.Join(dir, "softhsm2.conf")) {
		t.Fatalf("hsm init output:\n%s", out.String())
	}
	uri := regexp.MustCompile(`hsm: "([^"]+)"`).FindStringSubmatch(out.String())
	if uri == nil || !strings.Contains(uri[1], "pin-source=env:"+hsmPINEnv) {
		t.Fatalf("no hsm: URI in output:\n%s", out.String())
	}
	out.Reset()
	if err := hsmInit(ctx, []string{"--dir", dir}, &out, &errOut); err != nil || !strings.Contains(out.String(), "already exists") {
		t.Fatalf("second hsm init: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := hsmCheck(ctx, []string{"--hsm", uri[1]}, &out, &errOut); err != nil {
		t.Fatalf("hsm check: %v\n%s", err, errOut.String())
	}
	if !regexp.MustCompile(`RSAES_OAEP_SHA_1\s+yes`).MatchString(out.String()) || !regexp.MustCompile(`RSAES_OAEP_SHA_256\s+no`).MatchString(out.String()) {
		t.Fatalf("hsm check output:\n%s", out.String())
	}
	out.Reset()
	if err := hsmList(ctx, []string{"--hsm", uri[1]}, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "LABEL") {
		t.Fatalf("hsm list: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String()+errOut.String(), pin) {
		t.Fatal("the PIN appears in the CLI output")
	}
}

func TestHSMCheckFailsOnConfiguredUnsupported(t *testing.T) {
	res := map[hsm.WrappingAlgorithm]error{
		hsm.RSAES_OAEP_SHA_1:   nil,
		hsm.RSAES_OAEP_SHA_256: &hsm.UnsupportedAlgorithmError{Algorithm: hsm.RSAES_OAEP_SHA_256, Reason: "CKR_ARGUMENTS_BAD"},
	}
	var out bytes.Buffer
	err := printCheck(&out, res, hsm.RSAES_OAEP_SHA_256)
	var ee *exitError
	var u *hsm.UnsupportedAlgorithmError
	if !errors.As(err, &ee) || ee.Code != 1 || !errors.As(err, &u) {
		t.Fatalf("printCheck = %v, want exit 1 wrapping *UnsupportedAlgorithmError", err)
	}
	if err := printCheck(&out, res, hsm.RSAES_OAEP_SHA_1); err != nil {
		t.Fatalf("printCheck with a supported configured algorithm = %v", err)
	}
}

func TestHSMInitNeedsPIN(t *testing.T) {
	t.Setenv(hsmPINEnv, "")
	os.Unsetenv(hsmPINEnv)
	var out, errOut bytes.Buffer
	err := hsmInit(context.Background(), []string{"--dir", t.TempDir()}, &out, &errOut)
	var ee *exitError
	if !errors.As(err, &ee) || ee.Code != 64 || !strings.Contains(err.Error(), hsmPINEnv) {
		t.Fatalf("hsm init without PIN = %v", err)
	}
}
