package serve

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"strings"
)

const (
	sessionCookie = "byok_session"
	csrfCookie    = "byok_csrf"
)

// guard enforces the HTTP security rules: on a non-loopback listener
// every page but /healthz and /readyz needs the bearer token (header or a
// session cookie set by /login); actions (POST) always need the token and a
// CSRF token matching its cookie, and a same-origin Origin when sent.
type guard struct {
	sec Secured
}

// session is the cookie value proving the token: an HMAC of a constant
// under the token, so the token itself never sits in a cookie.
func (g guard) session() string {
	m := hmac.New(sha256.New, g.sec.Token)
	m.Write([]byte("byok-serve-session-v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// authorized reports whether r proves the token.
func (g guard) authorized(r *http.Request) bool {
	if len(g.sec.Token) == 0 {
		return false
	}
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return subtle.ConstantTimeCompare([]byte(strings.TrimPrefix(h, "Bearer ")), g.sec.Token) == 1
	}
	if f := r.PostFormValue("token"); f != "" {
		return subtle.ConstantTimeCompare([]byte(f), g.sec.Token) == 1
	}
	c, err := r.Cookie(sessionCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(g.session())) == 1
}

// wrap applies the read rule to every request and the security headers.
func (g guard) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		open := r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/login" || strings.HasPrefix(r.URL.Path, "/assets/")
		if !g.sec.Loopback && !open && !g.authorized(r) {
			if r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			h.Set("WWW-Authenticate", `Bearer realm="byok"`)
			http.Error(w, "authentication required: send Authorization: Bearer <token from --token-file>", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// csrf returns the request's CSRF token, setting its cookie when absent.
func (g guard) csrf(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 64 {
		return c.Value
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	v := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, Secure: g.sec.TLS != nil, SameSite: http.SameSiteStrictMode})
	return v
}

// checkPost verifies an action: same origin, CSRF token, bearer token.
// It returns the HTTP status and a message when refused.
func (g guard) checkPost(r *http.Request) (int, string) {
	if len(g.sec.Token) == 0 {
		return http.StatusForbidden, "actions are disabled: start byok serve with --token-file to enable them"
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			return http.StatusForbidden, "cross-origin request refused"
		}
	}
	c, err := r.Cookie(csrfCookie)
	form := r.PostFormValue("csrf")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 {
		return http.StatusForbidden, "missing or stale CSRF token: reload the page and try again"
	}
	if !g.authorized(r) {
		return http.StatusUnauthorized, "wrong or missing API token"
	}
	return 0, ""
}

// caller names who asked, for the audit: the remote address and a short
// fingerprint of the token used (never the token).
func (g guard) caller(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	sum := sha256.Sum256(g.sec.Token)
	return "byok serve dashboard, from " + host + ", token sha256:" + hex.EncodeToString(sum[:4])
}
