package pkcs11uri

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/byok-dev/byok/internal/secret"
)

// PINSourceKind says where a PIN is read from. The zero value means none.
type PINSourceKind int

// PIN source kinds.
const (
	PINSourceInvalid PINSourceKind = iota
	PINSourceEnv
	PINSourceFile
)

// PINSource is a parsed pin-source attribute.
type PINSource struct {
	Kind PINSourceKind
	Ref  string // variable name or file path
}

func (p PINSource) String() string {
	switch p.Kind {
	case PINSourceEnv:
		return "env:" + p.Ref
	case PINSourceFile:
		return "file:" + p.Ref
	}
	return ""
}

const pinSourceHint = "pin-source is env:NAME (an environment variable) or file:PATH (a file readable only by you)"

func parsePINSource(s string) (PINSource, error) {
	kind, ref, ok := strings.Cut(s, ":")
	if ok && ref != "" {
		switch kind {
		case "env":
			if validEnvName(ref) {
				return PINSource{Kind: PINSourceEnv, Ref: ref}, nil
			}
		case "file":
			return PINSource{Kind: PINSourceFile, Ref: ref}, nil
		}
	}
	return PINSource{}, &ParseError{Attr: "pin-source", Err: ErrBadPINSource, Hint: pinSourceHint}
}

func validEnvName(s string) bool {
	for i, c := range s {
		letter := c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// PIN reads the user PIN from the URI's pin-source. Every failure is a
// *PINSourceError; the caller must not attempt a login after one.
func (u *URI) PIN(ctx context.Context) (secret.Value, error) {
	if err := ctx.Err(); err != nil {
		return secret.Value{}, fmt.Errorf("read PIN: %w", err)
	}
	src := u.PINSource
	switch src.Kind {
	case PINSourceEnv:
		v, ok := os.LookupEnv(src.Ref)
		if !ok {
			return secret.Value{}, &PINSourceError{Source: src.String(), Err: ErrPINEnvUnset, Hint: "export " + src.Ref + " with the token's user PIN, or change pin-source"}
		}
		return nonEmpty(src, []byte(v))
	case PINSourceFile:
		return readPINFile(src)
	}
	return secret.Value{}, &PINSourceError{Err: ErrNoPINSource, Hint: "add pin-source=env:NAME or pin-source=file:PATH to the URI's query"}
}

// pathErr keeps the OS reason (permission denied, no such file) without the
// *os.PathError's Op noise; it never contains file contents.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

func nonEmpty(src PINSource, b []byte) (secret.Value, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		clear(b)
		return secret.Value{}, &PINSourceError{Source: src.String(), Err: ErrPINEmpty, Hint: "the source exists but holds no PIN"}
	}
	return secret.New(b), nil
}
