package hsm

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors (match with errors.Is).
var (
	ErrNoCgo = errors.New("this byok binary was built without cgo; PKCS#11 needs a cgo build")
	// ErrModuleNotFound is carried by *ModuleError.
	ErrModuleNotFound  = errors.New("PKCS#11 module not found")
	ErrWrongPIN        = errors.New("wrong PIN (CKR_PIN_INCORRECT); byok does not retry: every attempt burns the token's lockout counter")
	ErrPINLocked       = errors.New("PIN locked (CKR_PIN_LOCKED); the token's security officer must reset it")
	ErrObjectNotFound  = errors.New("no byok object with that label on the token")
	ErrObjectExists    = errors.New("a byok object with that label already exists on the token")
	ErrBadLabel        = errors.New(`byok object labels start with "` + LabelPrefix + `"`)
	ErrNotRSA          = errors.New("wrapping public key is not RSA")
	ErrPKCS1v15Refused = errors.New("RSAES_PKCS1_V1_5 is refused: AWS KMS no longer accepts it and it is open to padding-oracle attacks; " +
		"set policy.wrapping.algorithm to RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1")
	ErrDigestMismatch = errors.New("wrapped blob does not match the SHA-256 recorded at wrap time; the blob changed in transit or storage: stop and re-wrap")
	ErrTokenExists    = errors.New("a token with that label is already initialised")
	ErrPINLength      = errors.New("the user PIN is too short or too long for this token")
	ErrPINNotSet      = errors.New("the token exists but its user PIN was never set (an interrupted init); remove the token's directory and initialise it again")
	ErrNoFreeSlot     = errors.New("no uninitialised token slot in the module")
	ErrSessionClosed  = errors.New("hsm session is closed")
	ErrNotWrappable   = errors.New("the token refuses to wrap this key (CKA_EXTRACTABLE false or CKA_WRAP_WITH_TRUSTED)")
	ErrAmbiguousLabel = errors.New("more than one byok object has that label; destroy the duplicates with your HSM's tools")
)

// ModuleError is a PKCS#11 module that could not be loaded.
type ModuleError struct {
	Path string
	Err  error // ErrModuleNotFound, or the load/initialise failure
	Hint string
}

func (e *ModuleError) Error() string {
	return fmt.Sprintf("load PKCS#11 module %q: %v (%s)", e.Path, e.Err, e.Hint)
}

func (e *ModuleError) Unwrap() error { return e.Err }

// TokenNotFoundError says which token the URI asked for and which tokens
// the module has.
type TokenNotFoundError struct {
	Want  string   // the URI's token selector, e.g. `token="byok"`
	Found []string // labels of the tokens present, each with its serial
}

func (e *TokenNotFoundError) Error() string {
	found := "none"
	if len(e.Found) > 0 {
		found = strings.Join(e.Found, ", ")
	}
	return fmt.Sprintf("no token matches %s; tokens found: %s (fix the URI, or create one with `byok hsm init`)", e.Want, found)
}

// WeakKeyError is a wrapping public key shorter than the configured spec.
type WeakKeyError struct {
	Bits, MinBits int
}

func (e *WeakKeyError) Error() string {
	return fmt.Sprintf("wrapping public key is RSA-%d, shorter than the required RSA-%d (policy.wrapping.key_spec); request parameters with the configured key spec", e.Bits, e.MinBits)
}

// UnsupportedAlgorithmError is a wrapping algorithm the token cannot do.
// byok never falls back to another algorithm on its own.
type UnsupportedAlgorithmError struct {
	Algorithm WrappingAlgorithm
	Reason    string              // what the token said, e.g. "CKR_ARGUMENTS_BAD"
	Supported []WrappingAlgorithm // what the token can do, when known
}

func (e *UnsupportedAlgorithmError) Error() string {
	can := "unknown (the probe failed)"
	if e.Supported != nil {
		can = "none of the KMS wrapping algorithms"
	}
	if len(e.Supported) > 0 {
		names := make([]string, len(e.Supported))
		for i, a := range e.Supported {
			names[i] = a.String()
		}
		can = strings.Join(names, ", ")
	}
	return fmt.Sprintf("this HSM cannot wrap with %s (%s); it can do: %s; select one with policy.wrapping.algorithm in byok.yaml (run `byok hsm check` to see)",
		e.Algorithm, e.Reason, can)
}
