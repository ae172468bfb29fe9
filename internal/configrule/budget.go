package configrule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// Time limits of one invocation. The deployed function's timeout is 300 s
// (deploy/security-account.yaml); under a KMS throttling storm the SDK's
// bounded retries (awsx.Load: adaptive, 8 attempts per call, as `byok
// scan` uses) can still add up past it, and a Lambda killed by its
// timeout records nothing. So key facts get a budget, and whatever
// happens the invocation keeps a reserve of its deadline for
// PutEvaluations.
const (
	DefaultBudget     = 240 * time.Second
	DefaultPutReserve = 30 * time.Second
)

// ErrBudget: key facts could not be read within the invocation's budget.
var ErrBudget = errors.New("key facts budget spent")

// FactsError says that key facts could not be read (within the budget, or
// at all) and what was therefore left undecided: resources whose verdict
// needs no key facts (unencrypted, AWS managed, foreign keys) were still
// sent, the others are named so that Config retries them. It wraps
// ErrFacts, ErrBudget when the budget ran out, and ErrUndecided when
// resources were left.
type FactsError struct {
	// Budget is the budget that ran out; zero when KMS failed before it.
	Budget    time.Duration
	Cause     error
	Undecided *UndecidedError
}

func (e *FactsError) Error() string {
	s := "key facts unavailable: " + e.Cause.Error()
	if e.Budget > 0 {
		s = fmt.Sprintf("key facts not read within the invocation's %s budget: %v", e.Budget, e.Cause)
	}
	if e.Undecided != nil && len(e.Undecided.Resources) > 0 {
		s += "; " + e.Undecided.Error() + "; AWS Config retries the invocation"
	}
	return s
}

func (e *FactsError) Unwrap() []error {
	errs := []error{ErrFacts, e.Cause}
	if e.Budget > 0 {
		errs = append(errs, ErrBudget)
	}
	if e.Undecided != nil && len(e.Undecided.Resources) > 0 {
		errs = append(errs, e.Undecided)
	}
	return errs
}

// facts reads key facts within the budget. When they cannot be read (the
// budget ran out, or KMS failed), it returns an evaluator with no facts,
// which decides only what needs none and leaves estate keys undecided,
// together with a *FactsError for the caller to complete. Only the end
// of the caller's ctx is returned as is.
func (h *Handler) facts(ctx context.Context, est *estate.Estate, rs []compliance.Resource) (Evaluator, error) {
	budget := h.budget()
	if dl, ok := ctx.Deadline(); ok {
		budget = max(0, min(budget, time.Until(dl)-h.putReserve()))
	}
	fctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	eval, err := h.Facts(fctx, est, rs)
	switch {
	case err == nil:
		return eval, nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%w: %w", ErrFacts, err)
	case fctx.Err() != nil:
		return Bind(nil), &FactsError{Budget: budget, Cause: err}
	}
	return Bind(nil), &FactsError{Cause: err}
}

// finish completes a facts error with what was left undecided.
func finish(spent *FactsError, u *UndecidedError) error {
	if spent == nil {
		return u
	}
	spent.Undecided = u
	return spent
}

func (h *Handler) budget() time.Duration {
	if h.Budget <= 0 {
		return DefaultBudget
	}
	return h.Budget
}

func (h *Handler) putReserve() time.Duration {
	if h.PutReserve <= 0 {
		return DefaultPutReserve
	}
	return h.PutReserve
}
