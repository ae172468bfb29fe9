package hsm

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"time"
)

// LabelPrefix starts the CKA_LABEL of every object byok creates; List shows
// only these, and byok never touches an object without it.
const LabelPrefix = "byok:"

// AESKeyBytes is the length of the key material KMS imports for a
// SYMMETRIC_DEFAULT key.
const AESKeyBytes = 32

// Log attribute keys (constant so logs can be queried).
const (
	logKeyModule    = "module"
	logKeyToken     = "token"
	logKeySlot      = "slot"
	logKeyLabel     = "label"
	logKeyAlgorithm = "algorithm"
	logKeyBlobSHA   = "blob_sha256"
	logKeyBits      = "bits"
	logKeyOK        = "ok"
)

// Options tunes Open and InitToken.
type Options struct {
	// InitArgs is passed to C_Initialize as CK_C_INITIALIZE_ARGS.pReserved.
	// NSS softokn needs its database there, e.g.
	// configdir='sql:DIR' certPrefix='' keyPrefix='' secmod='secmod.db' flags=
	// When empty and the URI has x-nss-dir, it is derived from that.
	InitArgs string
	// Logger receives the component's logs; nil discards them.
	Logger *slog.Logger
}

// NSSInitArgs returns the C_Initialize pReserved string NSS softokn needs to
// open the sql: database in dir.
func NSSInitArgs(dir string) string {
	return "configdir='sql:" + dir + "' certPrefix='' keyPrefix='' secmod='secmod.db' flags="
}

func (o Options) logger() *slog.Logger {
	l := o.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return l.With("component", "hsm")
}

// Object names a key on the token. The handle is valid only in the Session
// that returned it.
type Object struct {
	Label  string
	ID     []byte
	handle uint
}

// ObjectInfo describes one byok object; it never carries key material.
type ObjectInfo struct {
	Label string
	ID    []byte
	// Created is CKA_START_DATE, which byok sets at generation; zero when
	// the token does not return it (SoftHSM2 2.6.1 answers CKR_GENERAL_ERROR).
	Created time.Time
}

// Wrapped is key material wrapped under a KMS wrapping public key, with the
// SHA-256 of the blob recorded at wrap time.
type Wrapped struct {
	Blob      []byte
	SHA256    [32]byte
	Algorithm WrappingAlgorithm
}

// Verify re-computes the blob's SHA-256; call it right before
// ImportKeyMaterial. A mismatch is ErrDigestMismatch: stop the run.
func (w Wrapped) Verify() error {
	sum := sha256.Sum256(w.Blob)
	if len(w.Blob) == 0 || subtle.ConstantTimeCompare(sum[:], w.SHA256[:]) != 1 {
		return ErrDigestMismatch
	}
	return nil
}

// TokenInfo describes a token a module offers.
type TokenInfo struct {
	Slot   uint
	Label  string
	Serial string
}
