package pace

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/smithy-go"
)

func TestLookup(t *testing.T) {
	tab := Defaults()
	cases := map[string]struct {
		service, op string
		quota       string
		rate        float64
		ok          bool
	}{
		"shared symmetric crypto": {ServiceKMS, "Decrypt", symmetricCrypto, 5500, true},
		"encrypt same budget":     {ServiceKMS, "Encrypt", symmetricCrypto, 5500, true},
		"import parameters":       {ServiceKMS, "GetParametersForImport", "GetParametersForImport", 1, true},
		"import material":         {ServiceKMS, "ImportKeyMaterial", "ImportKeyMaterial", 15, true},
		"rotate on demand":        {ServiceKMS, "RotateKeyOnDemand", "RotateKeyOnDemand", 5, true},
		"list key rotations":      {ServiceKMS, "ListKeyRotations", "ListKeyRotations", 5, true},
		"sts shared":              {ServiceSTS, "AssumeRole", "Requests", 600, true},
		"cloudtrail lookups":      {ServiceCloudTrail, "LookupEvents", "LookupEvents", 2, true},
		"unknown op":              {ServiceKMS, "NoSuchOp", "", 0, false},
		"unknown service":         {"s3", "GetObject", "", 0, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			q, ok := tab.Lookup(c.service, c.op)
			if ok != c.ok || q.Name != c.quota || q.PerSecond != c.rate {
				t.Fatalf("Lookup(%s, %s) = %+v, %v; want %s %v %v", c.service, c.op, q, ok, c.quota, c.rate, c.ok)
			}
		})
	}
}

func TestParseQuotaName(t *testing.T) {
	cases := map[string]struct {
		in   string
		want string
		err  error
	}{
		"operation":     {"GetParametersForImport request rate", "GetParametersForImport", nil},
		"shared":        {"Cryptographic operations (symmetric) request rate", symmetricCrypto, nil},
		"resource":      {"Customer Master Keys (CMKs)", "", ErrNotRequestRate},
		"empty":         {"", "", ErrBadQuotaName},
		"only suffix":   {" request rate", "", ErrBadQuotaName},
		"control char":  {"Create\x00Key request rate", "", ErrBadQuotaName},
		"invalid utf-8": {"Create\xffKey request rate", "", ErrBadQuotaName},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ParseQuotaName(c.in)
			if !errors.Is(err, c.err) || got != c.want {
				t.Fatalf("ParseQuotaName(%q) = %q, %v; want %q, %v", c.in, got, err, c.want, c.err)
			}
		})
	}
}

func FuzzParseQuotaName(f *testing.F) {
	for _, s := range []string{"GetParametersForImport request rate", "Cryptographic operations (symmetric) request rate",
		"Customer Master Keys (CMKs)", "", " request rate", "x\x00 request rate"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := ParseQuotaName(s)
		if err != nil {
			if !errors.Is(err, ErrBadQuotaName) && !errors.Is(err, ErrNotRequestRate) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if name == "" || ServiceQuotaName(Quota{Name: name}) == "" {
			t.Fatalf("accepted %q as empty name", s)
		}
	})
}

// fakeClock is the Pacer's time source; reserve never sleeps.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestReserveSpacesCallsAtTheQuota(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	p := New(nil)
	p.now = clk.now
	k := Key{"111111111111", "eu-west-1", ServiceKMS, "GetParametersForImport"}
	waits := []time.Duration{p.reserve(k), p.reserve(k), p.reserve(k)}
	want := []time.Duration{0, 1015 * time.Millisecond, 2030 * time.Millisecond} // 1/s, lowRateMargin
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits = %v, want %v", waits, want)
		}
	}
	other := Key{"111111111111", "us-east-1", ServiceKMS, "GetParametersForImport"}
	if d := p.reserve(other); d != 0 {
		t.Fatalf("another Region waited %v: Regions have their own quotas", d)
	}
	shared := Key{"111111111111", "eu-west-1", ServiceKMS, "Decrypt"}
	if d := p.reserve(shared); d != 0 {
		t.Fatalf("Decrypt waited %v behind GetParametersForImport", d)
	}
	if d := p.reserve(Key{"1", "r", "s3", "GetObject"}); d != 0 {
		t.Fatalf("unknown operation paced: %v", d)
	}
}

type throttle struct{ code string }

func (e throttle) Error() string                 { return e.code }
func (e throttle) ErrorCode() string             { return e.code }
func (e throttle) ErrorMessage() string          { return e.code }
func (e throttle) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

func TestCallRetriesOnlyThrottling(t *testing.T) {
	p := New(nil)
	k := Key{"111111111111", "eu-west-1", ServiceKMS, "ListAliases"}
	cases := map[string]struct {
		errs  []error
		calls int
		want  error
	}{
		"success":            {[]error{nil}, 1, nil},
		"throttled twice":    {[]error{throttle{"ThrottlingException"}, throttle{"ThrottlingException"}, nil}, 3, nil},
		"other error":        {[]error{throttle{"AccessDeniedException"}}, 1, throttle{"AccessDeniedException"}},
		"too many requests":  {[]error{throttle{"TooManyRequestsException"}, nil}, 2, nil},
		"not found is final": {[]error{throttle{"NotFoundException"}, nil}, 1, throttle{"NotFoundException"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			n := 0
			_, err := Call(context.Background(), p, k, func(context.Context) (int, error) {
				err := c.errs[n]
				n++
				return n, err
			})
			if n != c.calls || !errors.Is(err, c.want) {
				t.Fatalf("calls %d err %v; want %d %v", n, err, c.calls, c.want)
			}
		})
	}
}

func TestCallStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	k := Key{"111111111111", "eu-west-1", ServiceKMS, "GetParametersForImport"}
	n := 0
	_, err := Call(ctx, New(nil), k, func(context.Context) (int, error) {
		n++
		cancel()
		return 0, throttle{"ThrottlingException"}
	})
	if n != 1 || !IsThrottling(err) {
		t.Fatalf("calls %d err %v: a cancelled run returns the throttling error it saw", n, err)
	}
}

func TestUnpacedBackoffGrowsAndCaps(t *testing.T) {
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
		1600 * time.Millisecond, 3200 * time.Millisecond, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if d := unpacedBackoff(i); d != w {
			t.Fatalf("attempt %d: %v, want %v", i, d, w)
		}
	}
}
