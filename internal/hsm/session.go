//go:build cgo

package hsm

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/byok-dev/byok/internal/pkcs11uri"
	"github.com/byok-dev/byok/internal/secret"
	"github.com/miekg/pkcs11"
)

// Session is a logged-in read-write session on one token. Its methods are
// safe for concurrent use (they are serialised: PKCS#11 sessions are not).
type Session struct {
	mu     sync.Mutex
	mod    *module
	p      *pkcs11.Ctx
	sh     pkcs11.SessionHandle
	token  TokenInfo
	log    *slog.Logger
	closed bool
	// known holds the handles of objects this session generated or found
	// by label, so later calls on them need no label scan (see handles.go).
	known map[string]knownObject
	// scans counts C_FindObjectsInit calls (tests and benchmarks).
	scans int64
}

// Open reads the PIN from the URI's pin-source (failure: *pkcs11uri.PINSourceError,
// and no login is attempted), loads the module (*ModuleError), finds the token
// (*TokenNotFoundError) and logs in once (ErrWrongPIN is never retried).
func Open(ctx context.Context, uri *pkcs11uri.URI, opts Options) (*Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open hsm: %w", err)
	}
	pin, err := uri.PIN(ctx)
	if err != nil {
		return nil, fmt.Errorf("open hsm: %w", err)
	}
	defer pin.Destroy()
	mod, err := loadModule(uri.ModulePath, initArgs(uri, opts))
	if err != nil {
		return nil, fmt.Errorf("open hsm: %w", err)
	}
	s, err := openSession(ctx, mod, uri, pin, opts.logger())
	if err != nil {
		mod.release()
		return nil, fmt.Errorf("open hsm: %w", err)
	}
	return s, nil
}

func initArgs(uri *pkcs11uri.URI, opts Options) string {
	if opts.InitArgs == "" && uri.NSSDir != "" {
		return NSSInitArgs(uri.NSSDir)
	}
	return opts.InitArgs
}

func openSession(ctx context.Context, mod *module, uri *pkcs11uri.URI, pin secret.Value, log *slog.Logger) (*Session, error) {
	tok, err := findToken(ctx, mod.p, uri)
	if err != nil {
		return nil, err
	}
	log = log.With(logKeyModule, mod.path, logKeyToken, tok.Label)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sh, err := mod.p.OpenSession(tok.Slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		return nil, fmt.Errorf("C_OpenSession on slot %d: %w", tok.Slot, err)
	}
	if err := login(ctx, mod.p, sh, pkcs11.CKU_USER, pin); err != nil {
		_ = mod.p.CloseSession(sh)
		log.Debug("login failed", "error", err)
		return nil, err
	}
	log.Info("session opened", logKeySlot, tok.Slot)
	return &Session{mod: mod, p: mod.p, sh: sh, token: tok, log: log}, nil
}

// login calls C_Login exactly once. Sessions of one application share the
// login state, so CKR_USER_ALREADY_LOGGED_IN is success.
func login(ctx context.Context, p *pkcs11.Ctx, sh pkcs11.SessionHandle, user uint, pin secret.Value) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := p.Login(sh, user, pin.RevealForHSMLogin())
	switch {
	case err == nil, isRV(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN):
		return nil
	case isRV(err, pkcs11.CKR_PIN_INCORRECT):
		return ErrWrongPIN
	case isRV(err, pkcs11.CKR_PIN_LOCKED):
		return ErrPINLocked
	}
	return fmt.Errorf("C_Login: %w", err)
}

// findToken returns the first token matching every selector in the URI.
func findToken(ctx context.Context, p *pkcs11.Ctx, uri *pkcs11uri.URI) (TokenInfo, error) {
	toks, err := listTokens(ctx, p)
	if err != nil {
		return TokenInfo{}, err
	}
	var found []string
	for _, t := range toks {
		if tokenMatches(t, uri) {
			return t, nil
		}
		found = append(found, fmt.Sprintf("%q (serial %s, slot-id %d)", t.Label, t.Serial, t.Slot))
	}
	return TokenInfo{}, &TokenNotFoundError{Want: selector(uri), Found: found}
}

func tokenMatches(t TokenInfo, uri *pkcs11uri.URI) bool {
	return (uri.Token == "" || uri.Token == t.Label) &&
		(uri.Serial == "" || uri.Serial == t.Serial) &&
		(uri.SlotID == nil || *uri.SlotID == t.Slot)
}

func selector(uri *pkcs11uri.URI) string {
	var parts []string
	if uri.Token != "" {
		parts = append(parts, "token="+strconv.Quote(uri.Token))
	}
	if uri.Serial != "" {
		parts = append(parts, "serial="+strconv.Quote(uri.Serial))
	}
	if uri.SlotID != nil {
		parts = append(parts, "slot-id="+strconv.FormatUint(uint64(*uri.SlotID), 10))
	}
	return strings.Join(parts, " ")
}

// listTokens returns the initialised tokens present in the module's slots.
func listTokens(ctx context.Context, p *pkcs11.Ctx) ([]TokenInfo, error) {
	slots, err := p.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("C_GetSlotList: %w", err)
	}
	var toks []TokenInfo
	for _, slot := range slots {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ti, err := p.GetTokenInfo(slot)
		if err != nil {
			return nil, fmt.Errorf("C_GetTokenInfo on slot %d: %w", slot, err)
		}
		if ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			continue
		}
		toks = append(toks, TokenInfo{Slot: slot, Label: strings.TrimRight(ti.Label, " \x00"), Serial: strings.TrimRight(ti.SerialNumber, " \x00")})
	}
	return toks, nil
}

// Token describes the token this session is on.
func (s *Session) Token() TokenInfo { return s.token }

// Close closes the session and releases the module.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	// No C_Logout: login state is shared by every session of the process,
	// and closing the last session logs out anyway.
	err := s.p.CloseSession(s.sh)
	s.mod.release()
	if err != nil {
		return fmt.Errorf("close hsm session: %w", err)
	}
	return nil
}

// begin locks the session for one operation and checks it is usable.
func (s *Session) begin(ctx context.Context) (func(), error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrSessionClosed
	}
	if err := ctx.Err(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	return s.mu.Unlock, nil
}
