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

// TestHSMInitThenFindsProjectToken: after hsm init in a directory, a later
// command there finds the token with SOFTHSM2_CONF unset; elsewhere it does
// not; and hsm init with another PIN on the existing token fails with
// ErrWrongPIN and the commands that reset it.
func TestHSMInitThenFindsProjectToken(t *testing.T) {
	hsmtest.NewSoftHSM(t) // skips or fails (CI) when SoftHSM2 is missing; restores SOFTHSM2_CONF
	const pin = "project-pin-4417"
	t.Setenv(hsmPINEnv, pin)
	t.Setenv(hsmURIEnv, "")
	t.Setenv("SOFTHSM2_CONF", "")
	project, elsewhere := t.TempDir(), t.TempDir()
	t.Chdir(project)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := hsmInit(ctx, nil, &out, &errOut); err != nil {
		t.Fatalf("hsm init: %v\n%s", err, errOut.String())
	}
	uri := regexp.MustCompile(`hsm: "([^"]+)"`).FindStringSubmatch(out.String())
	if uri == nil {
		t.Fatalf("no hsm: URI in output:\n%s", out.String())
	}
	t.Setenv("SOFTHSM2_CONF", "") // hsm init set it for its own process
	errOut.Reset()
	if err := hsmList(ctx, []string{"--hsm", uri[1]}, &out, &errOut); err != nil {
		t.Fatalf("hsm list in the project with SOFTHSM2_CONF unset: %v\n%s", err, errOut.String())
	}
	want := filepath.Join(project, ".byok", "softhsm", "softhsm2.conf")
	if !strings.Contains(errOut.String(), want) || os.Getenv("SOFTHSM2_CONF") != want {
		t.Fatalf("SOFTHSM2_CONF = %q, stderr %q; want the project's %s, said", os.Getenv("SOFTHSM2_CONF"), errOut.String(), want)
	}

	t.Setenv("SOFTHSM2_CONF", "")
	t.Chdir(elsewhere)
	if err := hsmList(ctx, []string{"--hsm", uri[1]}, &out, &errOut); err == nil {
		t.Fatal("hsm list outside the project found a token with SOFTHSM2_CONF unset")
	}

	t.Chdir(project)
	t.Setenv(hsmPINEnv, "another-pin-0000")
	out.Reset()
	err := hsmInit(ctx, nil, &out, &errOut)
	if !errors.Is(err, hsm.ErrWrongPIN) || !strings.Contains(err.Error(), "softhsm2-util --delete-token --token byok") {
		t.Fatalf("hsm init with another PIN on the existing token = %v, want ErrWrongPIN and how to reset", err)
	}
	if strings.Contains(err.Error()+out.String()+errOut.String(), "another-pin-0000") || strings.Contains(out.String(), "already exists") {
		t.Fatalf("output leaks the PIN or claims success:\n%s\n%v", out.String(), err)
	}
	t.Setenv(hsmPINEnv, pin)
	out.Reset()
	if err := hsmInit(ctx, nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "opens it; not re-created") {
		t.Fatalf("hsm init with the right PIN on the existing token: %v\n%s", err, out.String())
	}
}
