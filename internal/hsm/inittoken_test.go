//go:build cgo

package hsm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
	"github.com/byok-dev/byok/internal/secret"
)

func TestInitTokenIsIdempotent(t *testing.T) {
	tok := hsmtest.NewSoftHSM(t)
	ctx := context.Background()
	info, err := hsm.InitToken(ctx, tok.ModulePath, hsm.Options{}, hsmtest.SoftHSMLabel, secret.FromString("so-pin-x"), secret.FromString("user-pin-x"))
	if !errors.Is(err, hsm.ErrTokenExists) || info.Label != hsmtest.SoftHSMLabel {
		t.Fatalf("second InitToken = %+v, %v; want the existing token and ErrTokenExists", info, err)
	}
	// The original PIN still works: the token was not re-initialised.
	s, err := hsm.Open(ctx, tok.ParsedURI(t), hsm.Options{})
	if err != nil {
		t.Fatalf("Open with the original PIN: %v", err)
	}
	_ = s.Close()
}

func TestClosedSessionAndCancel(t *testing.T) {
	tok := hsmtest.NewSoftHSM(t)
	s, err := hsm.Open(context.Background(), tok.ParsedURI(t), hsm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.List(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("List with cancelled ctx = %v", err)
	}
	if _, err := s.GenerateAES256(ctx, "byok:c", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("GenerateAES256 with cancelled ctx = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(context.Background()); !errors.Is(err, hsm.ErrSessionClosed) {
		t.Errorf("Check after Close = %v, want ErrSessionClosed", err)
	}
}

// A PIN outside the token's limits is refused before C_InitToken, so no
// half-initialised token (user PIN never set) is left behind.
func TestInitTokenRefusesShortPINBeforeInitialising(t *testing.T) {
	tok := hsmtest.NewSoftHSM(t)
	ctx := context.Background()
	_, err := hsm.InitToken(ctx, tok.ModulePath, hsm.Options{}, "byok-short", secret.FromString("so-pin-x"), secret.FromString("12"))
	if !errors.Is(err, hsm.ErrPINLength) {
		t.Fatalf("InitToken with a 2-character PIN = %v, want ErrPINLength", err)
	}
	info, err := hsm.InitToken(ctx, tok.ModulePath, hsm.Options{}, "byok-short", secret.FromString("so-pin-x"), secret.FromString("long-enough-pin"))
	if err != nil || info.Label != "byok-short" {
		t.Fatalf("InitToken after the refusal = %+v, %v; want a fresh token (nothing was left half-done)", info, err)
	}
}
