//go:build cgo

package hsm

import (
	"context"
	"fmt"

	"github.com/byok-dev/byok/internal/secret"
	"github.com/miekg/pkcs11"
)

// InitToken initialises a token labelled label in the first uninitialised
// slot of the module (SoftHSM2 always offers one), sets its SO PIN and user
// PIN through PKCS#11 (C_InitToken, C_InitPIN) so neither PIN is ever on a
// command line, and returns the new token. A token already initialised with
// that label is returned with ErrTokenExists and left untouched.
func InitToken(ctx context.Context, modulePath string, opts Options, label string, soPIN, userPIN secret.Value) (TokenInfo, error) {
	mod, err := loadModule(modulePath, opts.InitArgs)
	if err != nil {
		return TokenInfo{}, fmt.Errorf("init token %q: %w", label, err)
	}
	defer mod.release()
	tok, err := initToken(ctx, mod.p, label, soPIN, userPIN)
	if err != nil {
		return tok, fmt.Errorf("init token %q: %w", label, err)
	}
	opts.logger().Info("token initialised", logKeyModule, modulePath, logKeyToken, label, logKeySlot, tok.Slot)
	return tok, nil
}

func initToken(ctx context.Context, p *pkcs11.Ctx, label string, soPIN, userPIN secret.Value) (TokenInfo, error) {
	slot, existing, err := freeSlot(ctx, p, label)
	if err != nil || existing != nil {
		if existing != nil {
			return *existing, existingToken(p, *existing)
		}
		return TokenInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return TokenInfo{}, err
	}
	// Check the PIN against the token's limits before C_InitToken: a PIN
	// refused after it would leave a token whose user PIN is never set.
	if ti, err := p.GetTokenInfo(slot); err == nil && (uint(userPIN.Len()) < ti.MinPinLen || uint(userPIN.Len()) > ti.MaxPinLen) {
		return TokenInfo{}, fmt.Errorf("%w: this token takes %d to %d characters", ErrPINLength, ti.MinPinLen, ti.MaxPinLen)
	}
	if err := p.InitToken(slot, soPIN.RevealForHSMLogin(), label); err != nil {
		return TokenInfo{}, fmt.Errorf("C_InitToken: %w", err)
	}
	// SoftHSM2 moves a freshly initialised token to a new slot ID, so find it again.
	toks, err := listTokens(ctx, p)
	if err != nil {
		return TokenInfo{}, err
	}
	for _, t := range toks {
		if t.Label == label {
			return t, setUserPIN(ctx, p, t.Slot, soPIN, userPIN)
		}
	}
	return TokenInfo{}, fmt.Errorf("token %q vanished after C_InitToken", label)
}

// freeSlot returns the first slot whose token is not initialised, or the
// already initialised token with this label.
func freeSlot(ctx context.Context, p *pkcs11.Ctx, label string) (uint, *TokenInfo, error) {
	toks, err := listTokens(ctx, p)
	if err != nil {
		return 0, nil, err
	}
	for _, t := range toks {
		if t.Label == label {
			return 0, &t, nil
		}
	}
	slots, err := p.GetSlotList(true)
	if err != nil {
		return 0, nil, fmt.Errorf("C_GetSlotList: %w", err)
	}
	for _, slot := range slots {
		ti, err := p.GetTokenInfo(slot)
		if err == nil && ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			return slot, nil, nil
		}
	}
	return 0, nil, ErrNoFreeSlot
}

func setUserPIN(ctx context.Context, p *pkcs11.Ctx, slot uint, soPIN, userPIN secret.Value) error {
	sh, err := p.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		return fmt.Errorf("C_OpenSession: %w", err)
	}
	defer func() { _ = p.CloseSession(sh) }()
	if err := login(ctx, p, sh, pkcs11.CKU_SO, soPIN); err != nil {
		return fmt.Errorf("security officer login: %w", err)
	}
	defer func() { _ = p.Logout(sh) }()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.InitPIN(sh, userPIN.RevealForHSMLogin()); err != nil {
		return fmt.Errorf("C_InitPIN: %w", err)
	}
	return nil
}

// existingToken reports an already initialised token: ErrTokenExists, or
// ErrPINNotSet when an earlier init stopped before the user PIN was set.
func existingToken(p *pkcs11.Ctx, t TokenInfo) error {
	ti, err := p.GetTokenInfo(t.Slot)
	if err == nil && ti.Flags&pkcs11.CKF_USER_PIN_INITIALIZED == 0 {
		return ErrPINNotSet
	}
	return ErrTokenExists
}
