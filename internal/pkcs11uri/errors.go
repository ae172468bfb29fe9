package pkcs11uri

import (
	"errors"
	"fmt"
)

// Sentinels carried by *ParseError (match with errors.Is).
var (
	ErrNotPKCS11        = errors.New("not a pkcs11: URI")
	ErrSyntax           = errors.New("malformed attribute")
	ErrDuplicate        = errors.New("attribute given twice")
	ErrUnknownAttribute = errors.New("attribute not accepted")
	ErrBadValue         = errors.New("bad attribute value")
	ErrBadEncoding      = errors.New("bad percent-encoding")
	ErrNoToken          = errors.New("no token named")
	ErrPINInURI         = errors.New("PIN written in the URI")
	ErrBadPINSource     = errors.New("bad pin-source")
)

// ParseError says which attribute of a URI is wrong and how to fix it. It
// never repeats the attribute's value, which could be a PIN.
type ParseError struct {
	Attr string // RFC 7512 attribute name; "" for scheme errors
	Err  error  // one of the sentinels above
	Hint string
}

func (e *ParseError) Error() string {
	s := "pkcs11 uri"
	if e.Attr != "" {
		s += fmt.Sprintf(": attribute %q", e.Attr)
	}
	s += ": " + e.Err.Error()
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func (e *ParseError) Unwrap() error { return e.Err }

// Sentinels carried by *PINSourceError.
var (
	ErrNoPINSource       = errors.New("no pin-source in the URI")
	ErrPINEnvUnset       = errors.New("PIN environment variable is not set")
	ErrPINFileUnreadable = errors.New("PIN file cannot be read")
	ErrPINEmpty          = errors.New("PIN is empty")
)

// PINSourceError reports a PIN that could not be read. When it is returned no
// login has been attempted. It names the source, never the PIN.
type PINSourceError struct {
	Source string // "env:NAME" or "file:PATH"
	Err    error  // one of the sentinels above, possibly wrapping an *fs.PathError
	Hint   string
}

func (e *PINSourceError) Error() string {
	s := "read PIN"
	if e.Source != "" {
		s += " from " + e.Source
	}
	s += ": " + e.Err.Error()
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func (e *PINSourceError) Unwrap() error { return e.Err }
