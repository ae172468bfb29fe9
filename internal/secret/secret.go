// Package secret owns the opaque Value type that carries a PIN through byok.
//
// A Value cannot be printed (fmt verbs, String, GoString), logged (slog) or
// marshalled (JSON, text, gob): every such path yields "[redacted]" or an
// error. Reading the bytes takes a named, greppable call (RevealForHSMLogin)
// so a reviewer can find every place a secret leaves the type. Destroy zeroes
// the buffer. Key material never uses this type: it never leaves the HSM.
//
// The package must not do I/O and must not import anything that could log.
package secret

import (
	"errors"
	"fmt"
	"log/slog"
)

// Redacted is what every printing or logging path shows instead of a secret.
const Redacted = "[redacted]"

// ErrNotMarshalable is returned by every marshalling method of Value: a PIN
// must never reach a state file, a journal or a wire format.
var ErrNotMarshalable = errors.New("secret: a secret value cannot be marshalled")

// Value is an opaque secret (a PIN). Copies share one buffer, so Destroy on
// any copy zeroes them all. The zero Value is empty.
type Value struct {
	p *buffer
}

type buffer struct {
	b []byte
}

// New takes ownership of b: the caller must not use b afterwards, since
// Destroy zeroes it.
func New(b []byte) Value {
	return Value{p: &buffer{b: b}}
}

// FromString copies s into a new Value. Go strings cannot be zeroed, so prefer
// New with a byte slice the caller owns; this exists for tests and flags.
func FromString(s string) Value {
	return New([]byte(s))
}

// IsEmpty reports whether v holds no bytes (zero Value, empty or destroyed).
func (v Value) IsEmpty() bool {
	return v.p == nil || len(v.p.b) == 0
}

// Len returns the length of the secret, which is not itself secret enough to
// hide (PIN length rules are public).
func (v Value) Len() int {
	if v.p == nil {
		return 0
	}
	return len(v.p.b)
}

// RevealForHSMLogin returns the secret as a string for the PKCS#11 C_Login /
// C_InitToken / C_InitPIN call, the only place a PIN may leave this type.
// The string cannot be zeroed; do not keep it.
func (v Value) RevealForHSMLogin() string {
	if v.p == nil {
		return ""
	}
	return string(v.p.b)
}

// Equal reports whether v and w hold the same bytes, in constant time for
// equal lengths.
func (v Value) Equal(w Value) bool {
	a, b := v.bytes(), w.bytes()
	if len(a) != len(b) {
		return false
	}
	var diff byte
	for i := range a {
		diff |= a[i] ^ b[i]
	}
	return diff == 0
}

func (v Value) bytes() []byte {
	if v.p == nil {
		return nil
	}
	return v.p.b
}

// Destroy zeroes the buffer and empties v and every copy of it.
func (v Value) Destroy() {
	if v.p == nil {
		return
	}
	clear(v.p.b)
	v.p.b = nil
}

// String implements fmt.Stringer.
func (v Value) String() string { return Redacted }

// GoString implements fmt.GoStringer (%#v).
func (v Value) GoString() string { return Redacted }

// Format implements fmt.Formatter so every verb (%s %v %q %x %d …) prints
// "[redacted]", never the bytes.
func (v Value) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte(Redacted))
}

// LogValue implements slog.LogValuer.
func (v Value) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON always fails: a secret has no serialised form.
func (v Value) MarshalJSON() ([]byte, error) { return nil, ErrNotMarshalable }

// MarshalText always fails (covers YAML, XML and encoding.TextMarshaler users).
func (v Value) MarshalText() ([]byte, error) { return nil, ErrNotMarshalable }

// MarshalBinary always fails.
func (v Value) MarshalBinary() ([]byte, error) { return nil, ErrNotMarshalable }

// GobEncode always fails.
func (v Value) GobEncode() ([]byte, error) { return nil, ErrNotMarshalable }
