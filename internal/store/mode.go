package store

import (
	"errors"
	"fmt"
)

// Mode says how a command may use the state file. The zero value is invalid:
// every caller chooses, so no read-only command creates or writes a file by
// accident.
type Mode int

// Modes.
const (
	ModeUnknown Mode = iota
	// ModeCreate is for commands that start work (rotate, import, demo,
	// scan --save): the file is created (atomically, schema and all) when
	// missing; an existing file must be a writable byok state file.
	ModeCreate
	// ModeWrite is for commands that continue work (resume, rollback,
	// watch): the file must exist and be a writable byok state file.
	ModeWrite
	// ModeRead is for commands that only read (runs, audit, findings): the
	// file must exist and is opened read-only; it may be mode 0444 in a
	// read-only directory. Nothing is migrated and nothing is written.
	ModeRead
	// ModeReadIfExists is ModeRead, except that a missing file reads as an
	// empty state (held in memory; nothing is created on disk): for plan,
	// scan and rotate --dry-run before the first rotation.
	ModeReadIfExists
)

var modeNames = [...]string{"unknown", "create", "write", "read", "read-if-exists"}

func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

func (m Mode) readOnly() bool { return m == ModeRead || m == ModeReadIfExists }

// File errors of OpenMode, matched with errors.Is; the returned error is a
// *FileError naming the file and how to point byok at the right one.
var (
	// ErrNoState: the file does not exist (and the mode does not create it).
	ErrNoState = errors.New("state file does not exist")
	// ErrEmptyState: the file is 0 bytes.
	ErrEmptyState = errors.New("state file is empty (0 bytes)")
	// ErrNotState: the file is not a SQLite database, or a database
	// without byok's schema.
	ErrNotState = errors.New("not a byok state file")
	// ErrStateReadOnly: a command that writes found the file or its
	// directory not writable.
	ErrStateReadOnly = errors.New("state file is not writable")
	// ErrSchemaOld: a read-only open found a schema older than this byok;
	// a command that writes upgrades it.
	ErrSchemaOld = errors.New("state file schema is older than this byok")
	// ErrSchemaMissing: a read-only open found no tables of a component
	// (package audit before its first entry); callers treat it as empty.
	ErrSchemaMissing = errors.New("component has no tables in the state file")
)

// FileError is a refusal to use a state file: what is wrong and what to do.
type FileError struct {
	Path string
	Err  error  // one of the Err* file errors above
	Why  string // detail (what was found)
	Hint string // what the operator should do
	// Cause is the underlying OS error, if any (fs.ErrNotExist for a
	// missing file), also matched by errors.Is.
	Cause error
}

func (e *FileError) Error() string {
	msg := fmt.Sprintf("state file %s: %v", e.Path, e.Err)
	if e.Why != "" {
		msg += ": " + e.Why
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap returns Err and Cause, so errors.Is(err, ErrEmptyState) and
// errors.Is(err, fs.ErrNotExist) work.
func (e *FileError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// pointHint is the part of every hint that says how to choose the file.
const pointHint = "point byok at the right state file with --state FILE or " + EnvStatePath

func fileError(path string, kind error, why, hint string) *FileError {
	if hint == "" {
		hint = pointHint
	} else {
		hint += "; or " + pointHint
	}
	return &FileError{Path: path, Err: kind, Why: why, Hint: hint}
}
