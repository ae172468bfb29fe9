package kmssvc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/byok-dev/byok/internal/sandbox/identity"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 5649 section 6 test vectors, plus corruptions that must be refused.
func TestUnwrapKWP(t *testing.T) {
	kek := "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8"
	cases := map[string]struct {
		kek, wrapped, want string
		err                error
	}{
		"20-octet key":     {kek, "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a", "c37b7e6492584340bed12207808941155068f738", nil},
		"7-octet key":      {kek, "afbeb0f07dfbf5419200f2ccb50bb24f", "466f7250617369", nil},
		"flipped bit":      {kek, "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6b", "", errUnwrap},
		"wrong KEK":        {"00" + kek[2:], "afbeb0f07dfbf5419200f2ccb50bb24f", "", errUnwrap},
		"not whole blocks": {kek, "afbeb0f07dfbf5419200f2ccb50bb2", "", errUnwrap},
		"too short":        {kek, "afbeb0f07dfbf541", "", errUnwrap},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := unwrapKWP(unhex(t, tc.kek), unhex(t, tc.wrapped))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if tc.err == nil && !bytes.Equal(got, unhex(t, tc.want)) {
				t.Fatalf("unwrapped %x, want %s", got, tc.want)
			}
		})
	}
}

func TestCiphertextParsing(t *testing.T) {
	k := &key{ID: "11111111-2222-4333-8444-555555555555", Account: "111111111111"}
	m := &material{ID: materialID(k.ID, make([]byte, 32))}
	if err := m.setBytes(make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	blob := seal(k, m, []byte("pt"), map[string]string{"a": "b"})
	h, err := parseCiphertext(blob)
	if err != nil || h.keyID != k.ID || h.account != k.Account || h.material != m.ID {
		t.Fatalf("parse: %+v, %v", h, err)
	}
	if _, err := open(h, m, map[string]string{"a": "c"}); err == nil {
		t.Fatal("a different encryption context opened the ciphertext")
	}
	for name, b := range map[string][]byte{"empty": nil, "version": append([]byte{2}, blob[1:]...), "truncated": blob[:40]} {
		if _, err := parseCiphertext(b); !errors.Is(err, errBadCiphertext) {
			t.Fatalf("%s: err = %v", name, err)
		}
	}
}

// FuzzParsers feeds arbitrary bytes to every parser of untrusted input the
// service has (ciphertext blobs, key policies, AES-KWP blobs, import
// tokens): none may panic, and a parsed ciphertext must round-trip its
// header fields.
func FuzzParsers(f *testing.F) {
	f.Add([]byte{1})
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*"}]}`))
	f.Add([]byte(`{"Statement":[{"Effect":"Deny","Principal":{"AWS":["1"]},"Action":["kms:*"],"Condition":{"StringEquals":{"kms:CallerAccount":"1"}}}]}`))
	f.Add(make([]byte, 120))
	s := &Service{tokenKey: make([]byte, 32)}
	kek := make([]byte, 32)
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, err := parseCiphertext(b); err == nil && (!validKeyID(h.keyID) || len(h.material) != 64) {
			t.Fatalf("accepted a malformed header: %+v", h)
		}
		if p, err := parsePolicy(string(b)); err == nil {
			for i := range p.Statement {
				p.Statement[i].applies(testPrincipal, "Decrypt", "aws")
			}
		}
		_, _ = unwrapKWP(kek, b)
		if _, _, err := s.openToken(b); err == nil {
			t.Fatal("a forged import token was accepted")
		}
	})
}

var testPrincipal = identity.Principal{Type: identity.IAMUser, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/u"}
