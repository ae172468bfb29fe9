package serve

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byok-dev/byok/internal/serve/privfile"
)

const testToken = "0123456789abcdef0123456789abcdef"

func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "byok"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalECPrivateKey(k)
	cert = writeFile(t, dir, "cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), 0o644)
	key = writeFile(t, dir, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})), 0o600)
	return cert, key
}

// TestListenCheck: loopback may be plain; anything else needs TLS and a
// private token file; bad pairs and open token files are refused.
func TestListenCheck(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	token := writeFile(t, dir, "token", testToken, 0o600)
	open := writeFile(t, dir, "open-token", testToken, 0o644)
	otherKey := writeFile(t, dir, "other.pem", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", 0o600)
	tests := map[string]struct {
		l    Listen
		want error
	}{
		"loopback plain":    {Listen{Addr: "127.0.0.1:8443"}, nil},
		"localhost plain":   {Listen{Addr: "localhost:8443"}, nil},
		"ipv6 loopback":     {Listen{Addr: "[::1]:8443"}, nil},
		"no port":           {Listen{Addr: "127.0.0.1"}, ErrBadListen},
		"remote plain":      {Listen{Addr: "0.0.0.0:8443"}, ErrNeedTLS},
		"remote no token":   {Listen{Addr: "10.0.0.1:8443", CertFile: cert, KeyFile: key}, ErrNeedTLS},
		"remote ok":         {Listen{Addr: "0.0.0.0:8443", CertFile: cert, KeyFile: key, TokenFile: token}, nil},
		"remote open token": {Listen{Addr: "0.0.0.0:8443", CertFile: cert, KeyFile: key, TokenFile: open}, privfile.ErrTooOpen},
		"missing token":     {Listen{Addr: "127.0.0.1:8443", TokenFile: filepath.Join(dir, "nope")}, fs.ErrNotExist},
		"bad pair":          {Listen{Addr: "0.0.0.0:8443", CertFile: cert, KeyFile: otherKey, TokenFile: token}, ErrTLSPair},
		"cert without key":  {Listen{Addr: "127.0.0.1:8443", CertFile: cert}, ErrTLSPair},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := tc.l.Check()
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Check = %v, want %v", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Fatal("the error shows the token")
			}
		})
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Secured{Addr: ln.Addr().String(), Loopback: true}.Listener()
	if !errors.Is(err, ErrPortInUse) {
		t.Fatalf("Listener on a taken port: %v", err)
	}
}

// guarded serves a guard around a handler that records what passed.
func guarded(t *testing.T, sec Secured) (*httptest.Server, *int) {
	t.Helper()
	g := guard{sec: sec}
	passed := 0
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(g.csrf(w, r))) })
	mux.HandleFunc("POST /act", func(w http.ResponseWriter, r *http.Request) {
		if code, msg := g.checkPost(r); code != 0 {
			http.Error(w, msg, code)
			return
		}
		passed++
	})
	srv := httptest.NewServer(g.wrap(mux))
	t.Cleanup(srv.Close)
	return srv, &passed
}

// TestActionsNeedTokenAndCSRF: a POST action needs the CSRF cookie and
// field to match, the token, and no foreign Origin.
func TestActionsNeedTokenAndCSRF(t *testing.T) {
	srv, passed := guarded(t, Secured{Loopback: true, Token: []byte(testToken)})
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	var csrf string
	for _, c := range resp.Cookies() {
		if c.Name == csrfCookie {
			csrf = c.Value
		}
	}
	resp.Body.Close()
	if csrf == "" || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatal("no CSRF cookie or no CSP header")
	}
	tests := map[string]struct {
		cookie, field, token, origin string
		want                         int
	}{
		"ok":            {csrf, csrf, testToken, "", 200},
		"same origin":   {csrf, csrf, testToken, srv.URL, 200},
		"foreign":       {csrf, csrf, testToken, "https://evil.example", 403},
		"no csrf field": {csrf, "", testToken, "", 403},
		"csrf mismatch": {csrf, strings.Repeat("0", 64), testToken, "", 403},
		"no cookie":     {"", csrf, testToken, "", 403},
		"wrong token":   {csrf, csrf, "nope", "", 401},
		"no token":      {csrf, csrf, "", "", 401},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			form := url.Values{"csrf": {tc.field}, "token": {tc.token}}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/act", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: csrfCookie, Value: tc.cookie})
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	if *passed != 2 {
		t.Fatalf("%d actions passed, want 2", *passed)
	}
	noToken, _ := guarded(t, Secured{Loopback: true})
	resp, err = http.PostForm(noToken.URL+"/act", url.Values{})
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("actions without a configured token: %v %v", resp.StatusCode, err)
	}
}

// TestRemoteReadsNeedToken: on a non-loopback listener every page but the
// probes needs the bearer token.
func TestRemoteReadsNeedToken(t *testing.T) {
	srv, _ := guarded(t, Secured{Loopback: false, Token: []byte(testToken)})
	tests := map[string]struct {
		path, auth string
		want       int
	}{
		"page without token": {"/", "", 401},
		"page wrong token":   {"/", "Bearer x", 401},
		"page with token":    {"/", "Bearer " + testToken, 200},
		"healthz is open":    {"/healthz", "", 404},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			// /healthz passes the guard and reaches the test mux, which has no such route.
			if resp.StatusCode != tc.want && !(tc.path == "/healthz" && resp.StatusCode == 200) {
				t.Fatalf("GET %s: %d, want %d", tc.path, resp.StatusCode, tc.want)
			}
		})
	}
}
