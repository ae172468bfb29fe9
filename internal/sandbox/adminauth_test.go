package sandbox_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/sandbox"
)

// The admin endpoint moves the clock and injects faults: only a client
// holding the printed token, naming a loopback Host, and not a web page,
// may use it.
func TestAdminEndpointIsGuarded(t *testing.T) {
	s, _ := newServer(t)
	token := s.AdminToken()
	cases := map[string]struct {
		method, path, host, origin, token, ctype string
		want                                     int
	}{
		"with the token":                   {"POST", "/_byok/clock", "127.0.0.1:4566", "", token, "application/json", 200},
		"no token":                         {"POST", "/_byok/clock", "127.0.0.1:4566", "", "", "application/json", 401},
		"wrong token":                      {"POST", "/_byok/clock", "127.0.0.1:4566", "", "nope", "application/json", 401},
		"web page form post":               {"POST", "/_byok/clock", "127.0.0.1:4566", "http://evil.example", "", "text/plain", 403},
		"web page even with a token":       {"POST", "/_byok/clock", "localhost:4566", "http://evil.example", token, "application/json", 403},
		"rebound DNS name":                 {"POST", "/_byok/clock", "evil.example:4566", "", token, "application/json", 403},
		"health is open":                   {"GET", "/_byok/health", "[::1]:4566", "", "", "", 200},
		"counters need the token":          {"GET", "/_byok/counters", "localhost", "", "", "", 401},
		"faults with the token, localhost": {"GET", "/_byok/faults", "localhost", "", token, "", 200},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(`{"advance":"1h"}`))
			r.Host = tc.host
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if tc.token != "" {
				r.Header.Set(sandbox.AdminTokenHeader, tc.token)
			}
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d (%s), want %d", w.Code, strings.TrimSpace(w.Body.String()), tc.want)
			}
		})
	}
}

func TestRemoteSandboxSecretsAreNotDerived(t *testing.T) {
	local, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := sandbox.New(sandbox.Options{Remote: true})
	if err != nil {
		t.Fatal(err)
	}
	akid, derived := sandbox.AccountKeys("111111111111")
	l, _ := local.AddAccount("111111111111")
	r, _ := remote.AddAccount("111111111111")
	if l.Secret != derived || r.Secret == derived || r.AccessKeyID != akid || len(r.Secret) != 40 {
		t.Fatalf("local secret derived=%v, remote secret derived=%v (len %d)", l.Secret == derived, r.Secret == derived, len(r.Secret))
	}
	if again, _ := remote.AddAccount("111111111111"); again.Secret != r.Secret {
		t.Fatal("AddAccount is not idempotent on a remote sandbox")
	}
	if c, ok := remote.AccountCredential("111111111111"); !ok || c.Secret != r.Secret {
		t.Fatal("AccountCredential does not return the stored random secret")
	}
}
