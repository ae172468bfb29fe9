// Package sigv4 verifies AWS Signature Version 4 on incoming sandbox
// requests, so a client with the wrong secret is refused exactly as AWS
// refuses it. It parses the Authorization header and recomputes the
// signature; it knows nothing of accounts beyond the secret it is given.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors, mapped by the server to each protocol's AWS error code.
var (
	ErrMissing   = errors.New("missing authentication token")
	ErrMalformed = errors.New("malformed authorization header")
	ErrMismatch  = errors.New("signature does not match")
	ErrSkew      = errors.New("signature expired")
	// ErrScopeDate: the credential scope's date is not X-Amz-Date's day.
	ErrScopeDate = errors.New("credential scope date does not match X-Amz-Date")
	// ErrContentHash: X-Amz-Content-Sha256 is not the body's SHA-256 (S3
	// checks it; the other services hash the body themselves).
	ErrContentHash = errors.New("x-amz-content-sha256 does not match the body")
)

// Auth is the parsed Authorization header.
type Auth struct {
	AccessKeyID   string
	Date          string // yyyymmdd
	Region        string
	Service       string // signing name, e.g. "kms"
	SignedHeaders []string
	Signature     string
}

// Parse reads the SigV4 Authorization header of r.
func Parse(r *http.Request) (Auth, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return Auth{}, ErrMissing
	}
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return Auth{}, fmt.Errorf("%w: unsupported algorithm", ErrMalformed)
	}
	var a Auth
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return Auth{}, fmt.Errorf("%w: credential scope %q", ErrMalformed, v)
			}
			a.AccessKeyID, a.Date, a.Region, a.Service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			a.Signature = v
		}
	}
	if a.AccessKeyID == "" || len(a.SignedHeaders) == 0 || a.Signature == "" {
		return Auth{}, fmt.Errorf("%w: incomplete", ErrMalformed)
	}
	return a, nil
}

// Verify recomputes the signature of r (with body already read) using secret.
// singleEncode selects S3's path canonicalisation (no second escaping).
func Verify(r *http.Request, body []byte, a Auth, secret string, singleEncode bool, now time.Time) error {
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return fmt.Errorf("%w: X-Amz-Date %q", ErrMalformed, amzDate)
	}
	if d := now.Sub(t); d > 15*time.Minute || d < -15*time.Minute {
		return fmt.Errorf("%w: Signature expired: %s is now earlier than %s (%s - 15 min.)",
			ErrSkew, amzDate, now.Add(-15*time.Minute).Format("20060102T150405Z"), now.Format("20060102T150405Z"))
	}
	if a.Date != amzDate[:8] {
		return fmt.Errorf("%w: Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			ErrScopeDate, a.Date, amzDate[:8], amzDate)
	}
	hash, err := payloadHash(r, body, singleEncode)
	if err != nil {
		return err
	}
	scope := a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request"
	creq := canonicalRequest(r, hash, a.SignedHeaders, singleEncode)
	sum := sha256.Sum256([]byte(creq))
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	want := hex.EncodeToString(hmacSHA(signingKey(secret, a), sts))
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return ErrMismatch
	}
	return nil
}

// keyCache holds derived signing keys: they depend only on the secret and
// the credential scope (one day), and deriving one costs four HMACs.
var keyCache sync.Map // scopeKey → []byte

type scopeKey struct{ secret, date, region, service string }

func signingKey(secret string, a Auth) []byte {
	sk := scopeKey{secret, a.Date, a.Region, a.Service}
	if k, ok := keyCache.Load(sk); ok {
		return k.([]byte)
	}
	k := hmacSHA(hmacSHA(hmacSHA(hmacSHA([]byte("AWS4"+secret), a.Date), a.Region), a.Service), "aws4_request")
	keyCache.Store(sk, k)
	return k
}

func hmacSHA(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func canonicalRequest(r *http.Request, payloadHash string, signed []string, single bool) string {
	var b strings.Builder
	b.Grow(512)
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	if !single {
		path = escape(path, false)
	}
	b.WriteString(path)
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, h := range signed {
		b.WriteString(h)
		b.WriteByte(':')
		writeHeaderValue(&b, r, h)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	for i, h := range signed {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(h)
	}
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// writeHeaderValue writes a signed header's canonical value: its values
// joined by commas, each trimmed with inner runs of spaces collapsed.
func writeHeaderValue(b *strings.Builder, r *http.Request, name string) {
	switch {
	case name == "host":
		b.WriteString(r.Host)
		return
	case name == "content-length" && r.Header.Get("Content-Length") == "":
		b.WriteString(strconv.FormatInt(r.ContentLength, 10))
		return
	}
	for i, v := range r.Header[canonicalKey(name)] {
		if i > 0 {
			b.WriteByte(',')
		}
		if trimmed(v) {
			b.WriteString(v)
		} else {
			b.WriteString(strings.Join(strings.Fields(v), " "))
		}
	}
}

// trimmed: v has no leading, trailing or repeated whitespace (the usual
// case), so it is its own canonical form.
func trimmed(v string) bool {
	prevSpace := true // a leading space counts as repeated
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c >= 0x80 {
			return false // strings.Fields decides (tabs, Unicode spaces)
		}
		if c == ' ' && prevSpace {
			return false
		}
		prevSpace = c == ' '
	}
	return !prevSpace || v == ""
}

// canonicalKeys caches the MIME form of signed header names (lowercase
// in the Authorization header), a bounded set in practice.
var canonicalKeys sync.Map // string → string

const maxCanonicalKeys = 512

var canonicalKeyCount atomic.Int32

func canonicalKey(name string) string {
	if k, ok := canonicalKeys.Load(name); ok {
		return k.(string)
	}
	k := textproto.CanonicalMIMEHeaderKey(name)
	if canonicalKeyCount.Load() < maxCanonicalKeys {
		if _, loaded := canonicalKeys.LoadOrStore(name, k); !loaded {
			canonicalKeyCount.Add(1)
		}
	}
	return k
}

// payloadHash is the hash the canonical request ends with. S3 (s3Rules)
// signs the X-Amz-Content-Sha256 header's value, which may be
// UNSIGNED-PAYLOAD or a STREAMING-… mode, and refuses a hex hash that is
// not the body's; the other services hash the body they received, so a
// header that lies about it makes the signature fail.
func payloadHash(r *http.Request, body []byte, s3Rules bool) (string, error) {
	sum := sha256.Sum256(body)
	computed := hex.EncodeToString(sum[:])
	h := r.Header.Get("X-Amz-Content-Sha256")
	if !s3Rules || h == "" {
		return computed, nil
	}
	if h == "UNSIGNED-PAYLOAD" || strings.HasPrefix(h, "STREAMING-") {
		return h, nil
	}
	if !strings.EqualFold(h, computed) {
		return "", ErrContentHash
	}
	return h, nil
}

func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	vals, _ := url.ParseQuery(raw)
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), vals[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, escape(k, true)+"="+escape(v, true))
		}
	}
	return strings.Join(parts, "&")
}

// escape percent-encodes per RFC 3986 unreserved characters; '/' is kept
// unless encodeSlash.
func escape(s string, encodeSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}
