package configrule

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/compliance"
	"github.com/byok-dev/byok/internal/estate"
)

// The key-facts budget is the smaller of Budget and the invocation's
// deadline less PutReserve; running out of it yields a FactsError that
// says so (ErrBudget), with the evaluator that decides without facts.
func TestFactsBudget(t *testing.T) {
	slow := func(ctx context.Context, _ *estate.Estate, _ []compliance.Resource) (Evaluator, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	down := func(context.Context, *estate.Estate, []compliance.Resource) (Evaluator, error) {
		return nil, errKMSDown
	}
	tests := map[string]struct {
		facts    FactsSource
		budget   time.Duration
		deadline time.Duration // of the invocation; 0 = none
		reserve  time.Duration
		want     []error
		notWant  error
	}{
		"budget runs out":             {slow, time.Millisecond, 0, time.Second, []error{ErrBudget, ErrFacts}, nil},
		"deadline less reserve first": {slow, time.Hour, 2 * time.Second, time.Second, []error{ErrBudget, ErrFacts}, nil},
		"KMS down is not the budget":  {down, time.Hour, 0, time.Second, []error{ErrFacts}, ErrBudget},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := &Handler{Facts: tc.facts, Budget: tc.budget, PutReserve: tc.reserve}
			ctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			eval, err := h.facts(ctx, testEstate(t), nil)
			var fe *FactsError
			if !errors.As(err, &fe) || eval == nil {
				t.Fatalf("facts = %v, %v; want an evaluator and a *FactsError", eval, err)
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("err = %v, want %v", err, w)
				}
			}
			if tc.notWant != nil && errors.Is(err, tc.notWant) {
				t.Errorf("err = %v, must not be %v", err, tc.notWant)
			}
			if ctx.Err() != nil {
				t.Errorf("the invocation's own deadline was reached: no reserve left for PutEvaluations")
			}
		})
	}
}
