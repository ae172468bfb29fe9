package serve

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/byok-dev/byok/internal/serve/privfile"
)

// Errors of the listener configuration, matched with errors.Is.
var (
	ErrNeedTLS   = errors.New("a non-loopback address needs TLS and a bearer token")
	ErrTLSPair   = errors.New("bad TLS certificate/key pair")
	ErrPortInUse = errors.New("address already in use")
	ErrBadListen = errors.New("bad listen address")
)

// DefaultListen is loopback only.
const DefaultListen = "127.0.0.1:8443"

// Listen is how the HTTP side is exposed.
type Listen struct {
	Addr              string
	CertFile, KeyFile string
	TokenFile         string
}

// Secured is a checked Listen: the TLS config (nil on loopback without
// cert) and the bearer token (nil when none is configured).
type Secured struct {
	Addr     string
	Loopback bool
	TLS      *tls.Config
	Token    []byte
}

// Check validates l: loopback may be plain HTTP; any other address needs a
// certificate, its key and a token file that only its owner can read.
func (l Listen) Check() (Secured, error) {
	host, _, err := net.SplitHostPort(l.Addr)
	if err != nil {
		return Secured{}, fmt.Errorf("--listen %q: %w: use HOST:PORT, e.g. %s", l.Addr, ErrBadListen, DefaultListen)
	}
	s := Secured{Addr: l.Addr, Loopback: isLoopback(host)}
	if !s.Loopback && (l.CertFile == "" || l.KeyFile == "" || l.TokenFile == "") {
		return s, fmt.Errorf("--listen %s: %w; pass --tls-cert, --tls-key and --token-file, or listen on 127.0.0.1", l.Addr, ErrNeedTLS)
	}
	if (l.CertFile == "") != (l.KeyFile == "") {
		return s, fmt.Errorf("%w: give both --tls-cert and --tls-key", ErrTLSPair)
	}
	if l.CertFile != "" {
		pair, err := tls.LoadX509KeyPair(l.CertFile, l.KeyFile)
		if err != nil {
			return s, fmt.Errorf("%w (%s, %s): %v; give a PEM certificate and the PEM private key that matches it", ErrTLSPair, l.CertFile, l.KeyFile, err)
		}
		s.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	if l.TokenFile != "" {
		if s.Token, err = privfile.Read(l.TokenFile); err != nil {
			return s, fmt.Errorf("--token-file: %w", err)
		}
	}
	return s, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Listener opens the TCP listener with a clear error when the port is taken.
func (s Secured) Listener() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.Addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("listen %s: %w; another process (another byok serve?) holds the port: stop it or choose --listen HOST:PORT", s.Addr, ErrPortInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", s.Addr, err)
	}
	if s.TLS != nil {
		return tls.NewListener(ln, s.TLS), nil
	}
	return ln, nil
}
