package store

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrNotFound: the run, run key, scan or lock asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: a run or run key with that identity was already recorded.
	ErrExists = errors.New("already exists")
	// ErrInvalid: an argument is malformed (bad run ID, zero enum, empty ARN).
	ErrInvalid = errors.New("invalid argument")
	// ErrLocked: another unfinished run holds the key; see LockedError.
	ErrLocked = errors.New("key locked by another run")
	// ErrStepOpen: a different step of the key was begun and never ended.
	ErrStepOpen = errors.New("another step is still open")
	// ErrStepNotBegun: EndStep or FailStep for a step that is not open.
	ErrStepNotBegun = errors.New("step was not begun")
	// ErrSchemaTooNew: the file was written by a newer byok.
	ErrSchemaTooNew = errors.New("state file schema is newer than this byok")
	// ErrNoPreviousScan: DiffLatest needs two saved scans.
	ErrNoPreviousScan = errors.New("fewer than two saved scans")
)

// LockedError says which unfinished run holds a key.
type LockedError struct {
	Key    string
	HeldBy RunID
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("key %s is locked by unfinished run %s (byok lock status shows whether a process still works on it; "+
		"if none does, continue it with byok resume %s)", e.Key, e.HeldBy, e.HeldBy)
}

// Unwrap lets errors.Is(err, ErrLocked) match.
func (e *LockedError) Unwrap() error { return ErrLocked }

// StepError says which step of a key the journal disagrees about.
type StepError struct {
	Run  RunID
	Key  string
	Step Step // the step the caller named
	Open Step // the step currently open (StepUnknown when none)
	Err  error
}

func (e *StepError) Error() string {
	if e.Open == StepUnknown {
		return fmt.Sprintf("run %s key %s step %s: %v", e.Run, e.Key, e.Step, e.Err)
	}
	return fmt.Sprintf("run %s key %s step %s: %v (open: %s)", e.Run, e.Key, e.Step, e.Err, e.Open)
}

// Unwrap returns ErrStepOpen or ErrStepNotBegun.
func (e *StepError) Unwrap() error { return e.Err }
