package compliance

import (
	"errors"
	"strconv"
)

// Sentinels wrapped by *KeyRefError; match them with errors.Is.
var (
	ErrKeyRefEmpty   = errors.New("empty key reference")
	ErrKeyRefSyntax  = errors.New("unrecognised key reference")
	ErrKeyRefKeyID   = errors.New("invalid key ID")
	ErrKeyRefAlias   = errors.New("invalid alias name")
	ErrKeyRefARN     = errors.New("invalid KMS ARN")
	ErrKeyRefAccount = errors.New("invalid account ID")
	ErrKeyRefRegion  = errors.New("invalid region")
)

// ErrBadFacts is returned by Index.Add and Index.AddAlias for facts that
// do not name a key (or alias) by a valid ARN.
var ErrBadFacts = errors.New("invalid key facts")

// KeyRefError says which key reference was rejected, why, and how to fix it.
type KeyRefError struct {
	Ref     string // the reference as given (quoted and shortened in Error)
	Err     error  // one of the ErrKeyRef* sentinels
	Problem string
	Hint    string
}

func (e *KeyRefError) Error() string {
	return "key reference " + quote(e.Ref) + ": " + e.Err.Error() + ": " + e.Problem + " (" + e.Hint + ")"
}

// Unwrap returns the sentinel.
func (e *KeyRefError) Unwrap() error { return e.Err }

func refErr(ref string, sentinel error, problem, hint string) error {
	return &KeyRefError{Ref: ref, Err: sentinel, Problem: problem, Hint: hint}
}

// quote quotes s for a message, shortened so garbage input cannot flood
// an error or an annotation.
func quote(s string) string {
	const max = 80
	if len(s) > max {
		r := []rune(s)
		if len(r) > max {
			s = string(r[:max]) + "…"
		}
	}
	return strconv.Quote(s)
}
