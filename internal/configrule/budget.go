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
// What needed no key facts was sent; the rest is named so that Config
// retries it.
var ErrBudget = errors.New("key facts budget spent")

// BudgetError says what was left undecided when the budget ran out. It
// wraps ErrBudget, ErrFacts and, when resources were left, ErrUndecided.
type BudgetError struct {
	Budget    time.Duration
	Cause     error
	Undecided *UndecidedError
}

func (e *BudgetError) Error() string {
	s := fmt.Sprintf("key facts not read within the invocation's %s budget (%v)", e.Budget, e.Cause)
	if e.Undecided != nil && len(e.Undecided.Resources) > 0 {
		s += "; " + e.Undecided.Error() + "; AWS Config retries the invocation"
	}
	return s
}

func (e *BudgetError) Unwrap() []error {
	errs := []error{ErrBudget, ErrFacts}
	if e.Undecided != nil && len(e.Undecided.Resources) > 0 {
		errs = append(errs, e.Undecided)
	}
	return errs
}

// facts reads key facts within the budget. When the budget runs out (and
// not the caller's ctx), it returns an evaluator with no facts, which
// decides only what needs none (unencrypted, AWS managed, foreign keys)
// and leaves estate keys undecided, together with a *BudgetError for the
// caller to complete. Any other failure is an ErrFacts error.
func (h *Handler) facts(ctx context.Context, est *estate.Estate, rs []compliance.Resource) (Evaluator, error) {
	budget := h.budget()
	fctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	if dl, ok := ctx.Deadline(); ok {
		var cancel2 context.CancelFunc
		fctx, cancel2 = context.WithDeadline(fctx, dl.Add(-h.putReserve()))
		defer cancel2()
	}
	eval, err := h.Facts(fctx, est, rs)
	switch {
	case err == nil:
		return eval, nil
	case fctx.Err() != nil && ctx.Err() == nil:
		return Bind(nil), &BudgetError{Budget: budget, Cause: err}
	}
	return nil, fmt.Errorf("%w: %w", ErrFacts, err)
}

// finish completes a budget error with what was left undecided.
func finish(spent *BudgetError, u *UndecidedError) error {
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
