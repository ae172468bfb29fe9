package pkcs11uri

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/byok-dev/byok/internal/secret"
)

// ErrPINFileExposed: the PIN file can be read (or written) by someone else.
var ErrPINFileExposed = errors.New("PIN file is accessible by others")

// maxPINFile bounds what is read from a PIN file: a PIN is a short line,
// and a mistaken path (a device, a huge file) must not be slurped.
const maxPINFile = 4096

// readPINFile reads the PIN from path after checking, as ssh does for a
// private key, that it is a regular file owned by the current user that
// neither the group nor others may read or write; the check is made on the
// opened file (fstat), so the file cannot be swapped between check and read.
func readPINFile(src PINSource) (secret.Value, error) {
	f, err := os.Open(src.Ref)
	if err != nil {
		return secret.Value{}, pinFileError(src, fmt.Errorf("%w: %w", ErrPINFileUnreadable, pathErr(err)))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return secret.Value{}, pinFileError(src, fmt.Errorf("%w: %w", ErrPINFileUnreadable, pathErr(err)))
	}
	if !fi.Mode().IsRegular() {
		return secret.Value{}, pinFileError(src, fmt.Errorf("%w: not a regular file (%s)", ErrPINFileUnreadable, fi.Mode().Type()))
	}
	if err := checkPINFileMode(src, fi); err != nil {
		return secret.Value{}, err
	}
	b, err := io.ReadAll(io.LimitReader(f, maxPINFile+1))
	if err != nil || len(b) > maxPINFile {
		clear(b)
		return secret.Value{}, pinFileError(src, fmt.Errorf("%w: larger than %d bytes or unreadable", ErrPINFileUnreadable, maxPINFile))
	}
	return nonEmpty(src, trimNewline(b))
}

// checkPINFileMode refuses group/other permission bits and a file owned by
// another user, naming the command that fixes it.
func checkPINFileMode(src PINSource, fi os.FileInfo) error {
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return &PINSourceError{Source: src.String(),
			Err:  fmt.Errorf("%w: permissions %04o", ErrPINFileExposed, perm),
			Hint: fmt.Sprintf("run chmod 600 %s (a PIN file must be readable only by you, as ssh requires of a private key)", src.Ref)}
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return &PINSourceError{Source: src.String(),
			Err:  fmt.Errorf("%w: owned by uid %d, not by you (uid %d)", ErrPINFileExposed, st.Uid, os.Geteuid()),
			Hint: fmt.Sprintf("write the PIN to a file of your own (umask 077) or chown it to your user")}
	}
	return nil
}

func pinFileError(src PINSource, err error) error {
	return &PINSourceError{Source: src.String(), Err: err, Hint: "create the file with the PIN on one line and chmod 600, or change pin-source"}
}
