package hsm_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/byok-dev/byok/internal/hsm"
)

func TestParseWrappingAlgorithm(t *testing.T) {
	for _, alg := range append(hsm.Algorithms(), hsm.RSAES_PKCS1_V1_5) {
		got, err := hsm.ParseWrappingAlgorithm(alg.String())
		if err != nil || got != alg {
			t.Errorf("ParseWrappingAlgorithm(%q) = %v, %v", alg.String(), got, err)
		}
	}
	for _, bad := range []string{"", "rsaes_oaep_sha_256", "SM2PKE", "AlgorithmInvalid"} {
		_, err := hsm.ParseWrappingAlgorithm(bad)
		var u *hsm.UnknownAlgorithmError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "policy.wrapping.algorithm") {
			t.Errorf("ParseWrappingAlgorithm(%q) error = %v, want *UnknownAlgorithmError with a hint", bad, err)
		}
	}
	if hsm.AlgorithmInvalid.String() == "" || hsm.WrappingAlgorithm(0) != hsm.AlgorithmInvalid {
		t.Error("the zero WrappingAlgorithm must be AlgorithmInvalid")
	}
}

func TestWrappedVerify(t *testing.T) {
	blob := []byte("ciphertext-from-the-hsm")
	good := hsm.Wrapped{Blob: blob, SHA256: sha256.Sum256(blob), Algorithm: hsm.RSAES_OAEP_SHA_256}
	if err := good.Verify(); err != nil {
		t.Fatalf("Verify on an intact blob: %v", err)
	}
	tampered := good
	tampered.Blob = append([]byte(nil), blob...)
	tampered.Blob[0] ^= 1
	empty := hsm.Wrapped{SHA256: sha256.Sum256(nil)}
	for name, w := range map[string]hsm.Wrapped{"tampered": tampered, "truncated": {Blob: blob[:5], SHA256: good.SHA256}, "empty": empty} {
		if err := w.Verify(); !errors.Is(err, hsm.ErrDigestMismatch) {
			t.Errorf("%s: Verify = %v, want ErrDigestMismatch", name, err)
		}
	}
}

func TestParseWrappingKey(t *testing.T) {
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der := func(pub any) []byte { b, _ := x509.MarshalPKIXPublicKey(pub); return b }
	pkcs1 := x509.MarshalPKCS1PublicKey(&rsa2048.PublicKey)
	tests := map[string]struct {
		der     []byte
		minBits int
		want    func(error) bool
	}{
		"ok":    {der(&rsa2048.PublicKey), 2048, func(err error) bool { return err == nil }},
		"short": {der(&rsa2048.PublicKey), 4096, weak(2048, 4096)},
		"EC":    {der(&ec.PublicKey), 2048, is(hsm.ErrNotRSA)},
		"PKCS#1 DER": {pkcs1, 2048, func(err error) bool {
			return err != nil && !errors.Is(err, hsm.ErrNotRSA) && strings.Contains(err.Error(), "PKIX")
		}},
		"garbage": {[]byte("not der"), 2048, func(err error) bool { return err != nil && strings.Contains(err.Error(), "PKIX") }},
	}
	for name, tc := range tests {
		_, err := hsm.ParseWrappingKey(tc.der, tc.minBits)
		if !tc.want(err) {
			t.Errorf("%s: ParseWrappingKey error = %v", name, err)
		}
	}
}

func FuzzParseWrappingKey(f *testing.F) {
	k, _ := rsa.GenerateKey(rand.Reader, 1024)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, pub := range []any{&k.PublicKey, &ec.PublicKey} {
		b, _ := x509.MarshalPKIXPublicKey(pub)
		f.Add(b, 1024)
	}
	f.Add([]byte{0x30, 0x00}, 2048)
	f.Fuzz(func(t *testing.T, der []byte, minBits int) {
		pub, err := hsm.ParseWrappingKey(der, minBits)
		if err == nil && (pub == nil || pub.N.BitLen() < minBits) {
			t.Fatalf("accepted a key of %d bits with minBits %d", pub.N.BitLen(), minBits)
		}
	})
}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

func as[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func weak(bits, minBits int) func(error) bool {
	return func(err error) bool {
		var w *hsm.WeakKeyError
		return errors.As(err, &w) && w.Bits == bits && w.MinBits == minBits
	}
}
