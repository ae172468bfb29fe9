package demo

import (
	"errors"
	"fmt"
)

// ErrPrerequisite means something the demo needs is not installed.
var ErrPrerequisite = errors.New("demo prerequisite missing")

// PrerequisiteError names what is missing and how to install it.
type PrerequisiteError struct {
	What string // e.g. "SoftHSM2 PKCS#11 module /usr/lib/softhsm/libsofthsm2.so"
	Err  error
	Hint string
}

func (e *PrerequisiteError) Error() string {
	s := fmt.Sprintf("%s: %s", ErrPrerequisite, e.What)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s + " (hint: " + e.Hint + ")"
}

// Unwrap returns ErrPrerequisite and the cause.
func (e *PrerequisiteError) Unwrap() []error { return []error{ErrPrerequisite, e.Err} }

// setupHint is the command that installs every prerequisite.
const setupHint = "run scripts/setup.sh (or make setup); it installs softhsm2 and the rest with apt-get"

// ErrPhase means a phase of the story did not come out as it must.
var ErrPhase = errors.New("demo phase failed")

// PhaseError names the phase that failed.
type PhaseError struct {
	Phase string
	Err   error
}

func (e *PhaseError) Error() string { return fmt.Sprintf("phase %q: %v", e.Phase, e.Err) }

// Unwrap returns ErrPhase and the cause.
func (e *PhaseError) Unwrap() []error { return []error{ErrPhase, e.Err} }
