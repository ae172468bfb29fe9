// Package privfile reads the small secret files byok serve is given (the
// API bearer token, the webhook signing secret): it refuses a file that
// its group or others can read, and never puts the content in an error.
package privfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
)

// Errors of Read, matched with errors.Is.
var (
	ErrTooOpen = errors.New("secret file is readable by group or others")
	ErrEmpty   = errors.New("secret file is empty")
	ErrShort   = errors.New("secret is too short")
)

// MinLen is the shortest secret accepted (16 bytes: 128 bits when random).
const MinLen = 16

// Read returns the trimmed content of path after checking its mode.
func Read(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("secret file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("secret file %s: not a regular file", path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s (mode %04o): %w; run chmod 600 %s", path, fi.Mode().Perm(), ErrTooOpen, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret file: %w", err)
	}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return nil, fmt.Errorf("%s: %w; write a random value, e.g. openssl rand -hex 32 > %s", path, ErrEmpty, path)
	case len(b) < MinLen:
		return nil, fmt.Errorf("%s: %w (%d bytes, want at least %d); e.g. openssl rand -hex 32 > %s", path, ErrShort, len(b), MinLen, path)
	}
	return b, nil
}
