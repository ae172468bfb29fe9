//go:build !cgo

package hsm

import (
	"context"

	"github.com/byok-dev/byok/internal/pkcs11uri"
	"github.com/byok-dev/byok/internal/secret"
)

// Session is unavailable without cgo; every method returns ErrNoCgo.
type Session struct{}

// Open always fails with ErrNoCgo in a binary built without cgo.
func Open(ctx context.Context, uri *pkcs11uri.URI, opts Options) (*Session, error) {
	return nil, ErrNoCgo
}

// InitToken always fails with ErrNoCgo in a binary built without cgo.
func InitToken(ctx context.Context, modulePath string, opts Options, label string, soPIN, userPIN secret.Value) (TokenInfo, error) {
	return TokenInfo{}, ErrNoCgo
}

// Token returns the zero TokenInfo.
func (s *Session) Token() TokenInfo { return TokenInfo{} }

// Close does nothing.
func (s *Session) Close() error { return nil }

// GenerateAES256 returns ErrNoCgo.
func (s *Session) GenerateAES256(ctx context.Context, label string, id []byte) (Object, error) {
	return Object{}, ErrNoCgo
}

// FindOrGenerateAES256 returns ErrNoCgo.
func (s *Session) FindOrGenerateAES256(ctx context.Context, label string, id []byte) (Object, bool, error) {
	return Object{}, false, ErrNoCgo
}

// GenerateUnusedAES256 returns ErrNoCgo.
func (s *Session) GenerateUnusedAES256(ctx context.Context, label string, id []byte) (Object, error) {
	return Object{}, ErrNoCgo
}

// Find returns ErrNoCgo.
func (s *Session) Find(ctx context.Context, label string) (Object, error) {
	return Object{}, ErrNoCgo
}

// List returns ErrNoCgo.
func (s *Session) List(ctx context.Context) ([]ObjectInfo, error) { return nil, ErrNoCgo }

// Destroy returns ErrNoCgo.
func (s *Session) Destroy(ctx context.Context, obj Object) error { return ErrNoCgo }

// Wrap returns ErrNoCgo.
func (s *Session) Wrap(ctx context.Context, obj Object, publicKeyDER []byte, alg WrappingAlgorithm, minBits int) (Wrapped, error) {
	return Wrapped{}, ErrNoCgo
}

// Check returns ErrNoCgo.
func (s *Session) Check(ctx context.Context) (map[WrappingAlgorithm]error, error) {
	return nil, ErrNoCgo
}
