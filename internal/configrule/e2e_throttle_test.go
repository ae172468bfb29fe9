package configrule_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/byok-dev/byok/internal/configrule"
	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/sandbox/faults"
)

// A KMS throttling storm in the Security account: with the SDK retrying
// as byok scan does (adaptive, 8 attempts), the periodic invocation ends
// when its key-facts budget is spent, with an error that says so and
// names what it left; what needed no key facts is sent and agrees with
// scan, nothing is recorded wrong. Once the storm is over, the next
// invocation completes.
func TestE2EThrottlingStorm(t *testing.T) {
	eachWorld(t, testThrottlingStorm)
}

func testThrottlingStorm(t *testing.T, w *world) {
	rep := w.scan(t)
	fn := w.cfg(t, w.est.SecurityAccount)
	fn.RetryMode, fn.RetryMaxAttempts = aws.RetryModeAdaptive, 8
	h := configrule.NewHandler(fn, configrule.Params{}, nil)
	h.Now, h.Budget = w.sb.Now, 2*time.Second

	w.sb.SetFaults([]faults.Rule{{Service: "kms", Account: w.est.SecurityAccount, Code: "ThrottlingException", Status: 400,
		Message: "Rate exceeded"}}, false)
	// The guard only bounds a hang; the budget, not this deadline, must end it.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, ev := range w.events(t, devAccount, "scheduled", "", "") {
		err := h.Handle(ctx, ev)
		var fe *configrule.FactsError
		var u *configrule.UndecidedError
		if !errors.Is(err, configrule.ErrBudget) && !errors.Is(err, configrule.ErrFacts) || !errors.As(err, &fe) || !errors.As(err, &u) {
			t.Fatalf("storm: err = %v, want a FactsError naming the undecided resources", err)
		}
		if ctx.Err() != nil {
			t.Fatalf("the invocation ran into the guard deadline: %v", err)
		}
		if len(u.Resources) == 0 {
			t.Fatal("no resource left undecided under a KMS storm")
		}
	}
	partial := w.stored(t, devAccount)
	for k, v := range partial {
		if v.compliance == string(ctypes.ComplianceTypeCompliant) {
			t.Errorf("%s COMPLIANT without key facts", k)
		}
	}
	w.agreeSubset(t, devAccount, rep, partial)

	// Config retries later; the warm container's adaptive retryer is
	// still slowed by the storm, which the deployed budget absorbs.
	w.sb.SetFaults(nil, false)
	h.Budget = 0
	start := time.Now()
	var errs []error
	for _, ev := range w.events(t, devAccount, "scheduled", "", "") {
		if err := h.Handle(ctx, ev); err != nil {
			errs = append(errs, err)
		}
	}
	t.Logf("recovery took %v", time.Since(start))
	w.agree(t, devAccount, rep, undecidedRefs(t, errs))
}

// agreeSubset checks that every stored result is scan's verdict and reason.
func (w *world) agreeSubset(t *testing.T, account string, rep report.Report, got map[string]verdict) {
	t.Helper()
	want := map[string]verdict{}
	for _, r := range rep.Results {
		if c, ok := sendable[r.Verdict]; ok && r.Resource.Account == account {
			want[ref(r.Resource)] = verdict{string(c), string(r.Reason)}
		}
	}
	for k, g := range got {
		if want[k] != g {
			t.Errorf("%s: Config has %+v, scan says %+v", k, g, want[k])
		}
	}
}
