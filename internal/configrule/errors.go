package configrule

import (
	"errors"
	"fmt"
	"strings"

	"github.com/byok-dev/byok/internal/compliance"
)

// Sentinels, one per class of problem; typed errors below wrap them.
var (
	// ErrEvent: the Lambda event is not a Config rule event byok understands.
	ErrEvent = errors.New("invalid config rule event")
	// ErrItem: a configuration item is malformed for its resource type.
	ErrItem = errors.New("invalid configuration item")
	// ErrParameters: the rule parameters (ruleParameters) are invalid.
	ErrParameters = errors.New("invalid rule parameters")
	// ErrExecutionRole: the rule cannot tell which role to assume in the
	// member account (the event names Config's service-linked role and the
	// executionRoleName parameter is not set).
	ErrExecutionRole = errors.New("no usable execution role")
	// ErrEstate: the estate file could not be located, read or parsed.
	ErrEstate = errors.New("estate unavailable")
	// ErrFacts: key facts could not be read; the invocation must fail so
	// that Config retries, it never becomes NON_COMPLIANT.
	ErrFacts = errors.New("key facts unavailable")
	// ErrUndecided: the evaluator could not reach a verdict that may be
	// sent (INSUFFICIENT_DATA, or a key it could not read).
	ErrUndecided = errors.New("no verdict that can be sent")
	// ErrFailedEvaluations: PutEvaluations kept rejecting some evaluations.
	ErrFailedEvaluations = errors.New("evaluations rejected by AWS Config")
)

// FieldError says which field of an event or item was wrong, and how to fix it.
type FieldError struct {
	Field string
	Msg   string
	Hint  string
	Err   error // ErrEvent, ErrItem or ErrParameters
}

func (e *FieldError) Error() string {
	s := e.Field + ": " + e.Msg
	if e.Hint != "" {
		s += " (hint: " + e.Hint + ")"
	}
	return s
}

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(class error, field, hint, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...), Hint: hint, Err: class}
}

// ResourceRef names one resource as Config does.
type ResourceRef struct {
	Type compliance.ResourceType
	ID   string
}

func (r ResourceRef) String() string { return string(r.Type) + "/" + r.ID }

// UndecidedError lists resources for which no verdict was sent, with why.
// It wraps ErrUndecided.
type UndecidedError struct {
	Resources []ResourceRef
	Reasons   []string
}

func (e *UndecidedError) Error() string {
	parts := make([]string, len(e.Resources))
	for i, r := range e.Resources {
		parts[i] = r.String() + ": " + e.Reasons[i]
	}
	return fmt.Sprintf("%d resource(s) not evaluated: %s", len(parts), strings.Join(parts, "; "))
}

func (e *UndecidedError) Unwrap() error { return ErrUndecided }

func (e *UndecidedError) add(r ResourceRef, why string) {
	e.Resources = append(e.Resources, r)
	e.Reasons = append(e.Reasons, why)
}

// FailedEvaluationsError lists evaluations PutEvaluations still reported in
// FailedEvaluations after one retry. It wraps ErrFailedEvaluations.
type FailedEvaluationsError struct {
	Failed []ResourceRef
}

func (e *FailedEvaluationsError) Error() string {
	parts := make([]string, len(e.Failed))
	for i, r := range e.Failed {
		parts[i] = r.String()
	}
	return fmt.Sprintf("%d evaluation(s) failed twice: %s", len(parts), strings.Join(parts, ", "))
}

func (e *FailedEvaluationsError) Unwrap() error { return ErrFailedEvaluations }
