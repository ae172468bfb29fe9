//go:build cgo

package hsm_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/pkcs11uri"
)

func testBadInput(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.open(t)
	obj, err := s.GenerateAES256(ctx, "byok:bad-input", nil)
	if err != nil {
		t.Fatal(err)
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	short, _ := rsa.GenerateKey(rand.Reader, 1024)
	good := pkixDER(t, &rsa4096().PublicKey)
	tests := map[string]struct {
		obj  hsm.Object
		der  []byte
		alg  hsm.WrappingAlgorithm
		want func(error) bool
	}{
		"non-RSA key":     {obj, pkixDER(t, &ec.PublicKey), h.tok.Algorithm, is(hsm.ErrNotRSA)},
		"short RSA key":   {obj, pkixDER(t, &short.PublicKey), h.tok.Algorithm, weak(1024, 4096)},
		"PKCS1_V1_5":      {obj, good, hsm.RSAES_PKCS1_V1_5, is(hsm.ErrPKCS1v15Refused)},
		"invalid alg":     {obj, good, hsm.AlgorithmInvalid, as[*hsm.UnknownAlgorithmError]},
		"unsupported alg": {obj, good, h.tok.Unsupported, unsupported(h.tok.Unsupported, h.tok.Supported)},
		"absent object":   {hsm.Object{Label: "byok:absent"}, good, h.tok.Algorithm, is(hsm.ErrObjectNotFound)},
		"wrong ID":        {hsm.Object{Label: obj.Label, ID: []byte("other")}, good, h.tok.Algorithm, is(hsm.ErrObjectNotFound)},
	}
	for name, tc := range tests {
		_, err := s.Wrap(ctx, tc.obj, tc.der, tc.alg, 4096)
		if !tc.want(h.record(err)) {
			t.Errorf("%s: Wrap error = %v", name, err)
		}
	}
}

func unsupported(alg hsm.WrappingAlgorithm, can []hsm.WrappingAlgorithm) func(error) bool {
	return func(err error) bool {
		var u *hsm.UnsupportedAlgorithmError
		return errors.As(err, &u) && u.Algorithm == alg && slices.Equal(u.Supported, can) &&
			strings.Contains(err.Error(), "policy.wrapping.algorithm")
	}
}

func testOpenErrors(t *testing.T, h *harness) {
	dir := t.TempDir()
	wrongPIN := filepath.Join(dir, "wrong")
	if err := os.WriteFile(wrongPIN, []byte("0000-not-the-pin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fromFile := func(p string) pkcs11uri.PINSource { return pkcs11uri.PINSource{Kind: pkcs11uri.PINSourceFile, Ref: p} }
	tests := map[string]struct {
		edit func(u *pkcs11uri.URI)
		want func(error) bool
	}{
		"missing module": {func(u *pkcs11uri.URI) { u.ModulePath = "/nonexistent/libbyok-missing.so" },
			func(err error) bool { return is(hsm.ErrModuleNotFound)(err) && as[*hsm.ModuleError](err) }},
		"wrong PIN": {func(u *pkcs11uri.URI) { u.PINSource = fromFile(wrongPIN) }, is(hsm.ErrWrongPIN)},
		"token absent": {func(u *pkcs11uri.URI) { u.Token = "no-such-token" }, func(err error) bool {
			var nf *hsm.TokenNotFoundError
			return errors.As(err, &nf) && strings.Contains(strings.Join(nf.Found, " "), h.tok.ParsedURI(t).Token)
		}},
		// The PIN is read before the module is touched: a missing module is not reported.
		"unreadable pin file": {func(u *pkcs11uri.URI) {
			u.PINSource = fromFile(filepath.Join(dir, "absent"))
			u.ModulePath = "/nonexistent/libbyok-missing.so"
		}, func(err error) bool {
			return is(pkcs11uri.ErrPINFileUnreadable)(err) && as[*pkcs11uri.PINSourceError](err) && !is(hsm.ErrModuleNotFound)(err)
		}},
		"pin env unset": {func(u *pkcs11uri.URI) {
			u.PINSource = pkcs11uri.PINSource{Kind: pkcs11uri.PINSourceEnv, Ref: "BYOK_TEST_UNSET_PIN"}
		}, is(pkcs11uri.ErrPINEnvUnset)},
	}
	for name, tc := range tests {
		u := h.tok.ParsedURI(t)
		tc.edit(u)
		s, err := hsm.Open(context.Background(), u, hsm.Options{})
		if s != nil {
			_ = s.Close()
		}
		if !tc.want(h.record(err)) {
			t.Errorf("%s: Open error = %v", name, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := hsm.Open(ctx, h.tok.ParsedURI(t), hsm.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context = %v", err)
	}
}

// testNoLeaks searches every log line and error of the suite for the PIN and
// for the material the test recovered, in hex and base64.
func testNoLeaks(t *testing.T, h *harness) {
	var all strings.Builder
	all.Write(h.logs.Bytes())
	for _, err := range h.errs {
		all.WriteString(err.Error() + "\n")
	}
	text := all.String()
	if h.logs.Len() == 0 || len(h.errs) < 10 {
		t.Fatalf("suite captured %d log bytes and %d errors; the leak check would prove nothing", h.logs.Len(), len(h.errs))
	}
	material := knownMaterial[h.tok.Name]
	if len(material) != hsm.AESKeyBytes {
		t.Fatal("round-trip subtest did not record the material")
	}
	forbidden := map[string]string{
		"PIN":                 h.tok.PIN,
		"material hex":        hex.EncodeToString(material),
		"material HEX":        strings.ToUpper(hex.EncodeToString(material)),
		"material base64":     base64.StdEncoding.EncodeToString(material),
		"material base64 raw": base64.RawURLEncoding.EncodeToString(material),
	}
	for what, s := range forbidden {
		if strings.Contains(text, s) {
			t.Errorf("%s appears in logs or errors", what)
		}
	}
}
