package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
)

// AdminTokenHeader carries the admin token on /_byok/ requests. A custom
// header cannot be sent cross-origin by a web page without a CORS
// preflight, which the sandbox never grants; together with the Host and
// Origin checks this keeps a page the operator visits from moving the
// clock or injecting faults.
const AdminTokenHeader = "X-Byok-Admin-Token"

// AdminTokenEnv is the environment variable the sandbox prints the token
// in, and that byok's commands read it from.
const AdminTokenEnv = "BYOK_SANDBOX_ADMIN_TOKEN"

func newAdminToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// adminRefusal says why an admin request is refused ("" when allowed).
// GET /_byok/health is open: it tells only that the sandbox is up.
func (s *Server) adminRefusal(r *http.Request) (int, string) {
	if r.Header.Get("Origin") != "" {
		return http.StatusForbidden, "admin requests from a web page (Origin header) are refused"
	}
	if !s.remote && !loopbackHost(r.Host) {
		return http.StatusForbidden, "admin requests must name a loopback Host (got " + r.Host + ")"
	}
	if r.Method == http.MethodGet && r.URL.Path == "/_byok/health" {
		return 0, ""
	}
	got := r.Header.Get(AdminTokenHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.adminToken)) != 1 {
		return http.StatusUnauthorized, "missing or wrong " + AdminTokenHeader + " header: use the token `byok sandbox` printed as " + AdminTokenEnv
	}
	return 0, ""
}

func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// AdminToken is the token admin requests must carry in AdminTokenHeader.
func (s *Server) AdminToken() string { return s.adminToken }

// AdminTransport adds the admin token to every request of base (nil:
// http.DefaultTransport), for clients of the /_byok/ endpoints.
func AdminTransport(base http.RoundTripper, token string) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return adminTransport{base, token}
}

type adminTransport struct {
	base  http.RoundTripper
	token string
}

func (t adminTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(AdminTokenHeader, t.token)
	return t.base.RoundTrip(r)
}
