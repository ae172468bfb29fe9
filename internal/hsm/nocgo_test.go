//go:build !cgo

package hsm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/pkcs11uri"
	"github.com/byok-dev/byok/internal/secret"
)

func TestNoCgoOpenFailsClearly(t *testing.T) {
	u, err := pkcs11uri.Parse("pkcs11:token=byok?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:BYOK_HSM_PIN")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hsm.Open(context.Background(), u, hsm.Options{}); !errors.Is(err, hsm.ErrNoCgo) {
		t.Fatalf("Open = %v, want ErrNoCgo", err)
	}
	if _, err := hsm.InitToken(context.Background(), u.ModulePath, hsm.Options{}, "byok", secret.FromString("a"), secret.FromString("b")); !errors.Is(err, hsm.ErrNoCgo) {
		t.Fatalf("InitToken = %v, want ErrNoCgo", err)
	}
}
