package rotation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/rotation"
)

func TestLimitsPace(t *testing.T) {
	type call struct{ op, account, region string }
	a := call{"GetParametersForImport", "111111111111", "eu-west-1"}
	cases := map[string]struct {
		limits   *rotation.Limits
		calls    []call
		min, max time.Duration
	}{
		"one quota spaces its calls": {rotation.NewLimits(map[string]float64{a.op: 20}), []call{a, a, a, a, a},
			4 * 50 * time.Millisecond, 400 * time.Millisecond},
		"other accounts have their own quota": {rotation.NewLimits(map[string]float64{a.op: 20}),
			[]call{a, {a.op, "222222222222", a.region}, {a.op, "333333333333", a.region}}, 0, 40 * time.Millisecond},
		"other regions have their own quota": {rotation.NewLimits(map[string]float64{a.op: 20}),
			[]call{a, {a.op, a.account, "eu-central-1"}}, 0, 40 * time.Millisecond},
		"an operation without a quota is not paced": {rotation.NewLimits(map[string]float64{a.op: 1}),
			[]call{{"Encrypt", a.account, a.region}, {"Encrypt", a.account, a.region}}, 0, 40 * time.Millisecond},
		"nil limits do not pace": {nil, []call{a, a, a}, 0, 40 * time.Millisecond},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t0 := time.Now()
			for _, cl := range c.calls {
				if err := c.limits.Wait(context.Background(), cl.op, cl.account, cl.region); err != nil {
					t.Fatal(err)
				}
			}
			if d := time.Since(t0); d < c.min || d > c.max {
				t.Fatalf("%d calls took %v, want %v…%v", len(c.calls), d, c.min, c.max)
			}
		})
	}
}

func TestLimitsWaitCancelled(t *testing.T) {
	l := rotation.NewLimits(map[string]float64{"GetParametersForImport": 0.1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, "GetParametersForImport", "111111111111", "eu-west-1"); err != nil {
		t.Fatalf("first call must go at once: %v", err)
	}
	if err := l.Wait(ctx, "GetParametersForImport", "111111111111", "eu-west-1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second call with a 10 s spacing and a 50 ms deadline: %v, want DeadlineExceeded", err)
	}
}

func TestDefaultRatesAreAWSQuotas(t *testing.T) {
	want := map[string]float64{"GetParametersForImport": 1, "ImportKeyMaterial": 15, "RotateKeyOnDemand": 5,
		"CreateKey": 5, "UpdateAlias": 5, "ListKeyRotations": 5, "LookupEvents": 2}
	got := rotation.DefaultRates()
	for op, r := range want {
		if got[op] != r {
			t.Errorf("%s: %v per second, AWS quota is %v", op, got[op], r)
		}
	}
}
