package audit

import (
	"errors"
	"fmt"
)

// Sentinel errors. Verify's *BreakError unwraps to one of the Err* kinds.
var (
	ErrInvalid = errors.New("invalid audit entry")
	// ErrEdited: an entry's content no longer matches its hash, or its hash
	// was recomputed after the next entry chained to it.
	ErrEdited = errors.New("entry edited")
	// ErrInserted: an entry was added that byok did not append.
	ErrInserted = errors.New("entry inserted")
	// ErrRemoved: an entry is missing from the middle of the chain.
	ErrRemoved = errors.New("entry removed")
	// ErrReordered: an entry sits at a seq other than the one it was written at.
	ErrReordered = errors.New("entries reordered")
	// ErrTruncated: entries after the last stored one are named by the head record.
	ErrTruncated = errors.New("tail removed")
	// ErrHeadMismatch: the head record is missing or disagrees with the last entry.
	ErrHeadMismatch = errors.New("head record mismatch")
	// ErrHeadFileMissing: the log has entries but the head file beside the
	// state file is gone.
	ErrHeadFileMissing = errors.New("head file missing")
	// ErrUnaudited: a run the state records as succeeded has a key with no
	// audit entry; see GapError.
	ErrUnaudited = errors.New("succeeded run without its audit entry")
	// ErrReadOnly: Append on a log opened read-only.
	ErrReadOnly = errors.New("audit log opened read-only")
)

// GapError names a key of a succeeded run that has no audit entry: the
// entry was deleted (with the tail and the head, or rewritten away).
type GapError struct {
	Run string
	Key string
}

func (e *GapError) Error() string {
	return fmt.Sprintf("run %s succeeded but the audit log has no entry for key %s", e.Run, e.Key)
}

// Unwrap returns ErrUnaudited.
func (e *GapError) Unwrap() error { return ErrUnaudited }

// BreakError names where the chain is broken. Seq is the entry at fault
// (for a removed entry: the seq it had).
type BreakError struct {
	Seq    int64
	Kind   error // one of ErrEdited, ErrInserted, ErrRemoved, ErrReordered, ErrTruncated, ErrHeadMismatch, ErrHeadFileMissing
	Detail string
}

func (e *BreakError) Error() string {
	return fmt.Sprintf("audit entry %d: %v: %s", e.Seq, e.Kind, e.Detail)
}

// Unwrap returns Kind, so errors.Is(err, ErrEdited) works.
func (e *BreakError) Unwrap() error { return e.Kind }
