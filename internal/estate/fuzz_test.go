package estate

import (
	"strings"
	"testing"
)

// FuzzParse checks that no input panics and that Parse keeps its contract:
// either a usable estate or only *Error values, each with a class and a
// message, and never both.
func FuzzParse(f *testing.F) {
	f.Add(ExampleYAML())
	f.Add([]byte(withLines(nil)))
	for _, tc := range errCases {
		f.Add([]byte(tc.doc))
	}
	for _, tc := range watchErrCases {
		f.Add([]byte(tc.doc))
	}
	f.Add([]byte(watchDoc("source: eventbridge", "log_group: /a", "rule: r", "delivery_delay: 2s")))
	f.Add([]byte("a: &a [*a]\nregions: *a\n"))
	f.Add([]byte("policy: {max_material_age: 1.5.5d, expiry_warning: 9223372036854775807ns}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse("fuzz.yaml", data)
		if (e == nil) == (err == nil) {
			t.Fatalf("Parse returned estate %v and error %v", e, err)
		}
		if err != nil {
			checkErrors(t, err)
			return
		}
		checkEstate(t, e)
	})
}

func checkErrors(t *testing.T, err error) {
	all := Errors(err)
	if len(all) == 0 {
		t.Fatalf("error without *Error: %v", err)
	}
	for _, e := range all {
		if e.Err == nil || e.Msg == "" || e.File != "fuzz.yaml" {
			t.Fatalf("incomplete error %#v", e)
		}
	}
	if len(strings.Split(err.Error(), "\n")) < len(all) {
		t.Fatalf("rendering lost errors: %v", err)
	}
}

// checkEstate re-asserts the invariants the parser promises for a valid file.
func checkEstate(t *testing.T, e *Estate) {
	if len(e.Regions) == 0 || len(e.Services) == 0 || len(e.Environments) == 0 || e.HSM == "" {
		t.Fatalf("valid estate missing required parts: %+v", e)
	}
	if e.Policy.ExpiryWarning >= e.Policy.MaxMaterialAge || e.Policy.ExpiryWarning <= 0 {
		t.Fatalf("policy %+v", e.Policy)
	}
	if w := e.Watch; w.Source != WatchCloudTrail && w.Source != WatchEventBridge || w.DeliveryDelay <= 0 ||
		w.DeliveryDelay > maxDeliveryDelay || !logGroupRE.MatchString(w.LogGroup) || !ruleNameRE.MatchString(w.Rule) {
		t.Fatalf("watch %+v", w)
	}
	for _, k := range e.Keys() {
		if !aliasRE.MatchString(k.Alias) || k.Account == k.Consumer {
			t.Fatalf("bad key %+v", k)
		}
		if got, ok := e.KeyFor(k.Env, k.Service, k.Region); !ok || got.Alias != k.Alias {
			t.Fatalf("KeyFor(%+v) = %+v, %v", k, got, ok)
		}
	}
}

// FuzzParseDuration checks that durations never panic, are positive when
// accepted, and survive a FormatDuration round trip.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"365d", "52w", "8760h", "1.5d", "1w2d12h", "0d", "-1d", "1e3d", "99999999999w", "1..5d", "µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d <= 0 {
			t.Fatalf("ParseDuration(%q) = %v, accepted a non-positive duration", s, d)
		}
		back, err := ParseDuration(FormatDuration(d))
		if err != nil || back != d {
			t.Fatalf("round trip of %v via %q = %v, %v", d, FormatDuration(d), back, err)
		}
	})
}
