//go:build cgo

package hsm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
)

// BenchmarkGenerateAndWrap measures one rotation's HSM work: generate a
// persistent AES-256 object and wrap it under an RSA-4096 KMS wrapping key
// with the token's OAEP variant (the object is destroyed outside the timer).
func BenchmarkGenerateAndWrap(b *testing.B) {
	for _, name := range []string{"softhsm2", "nss"} {
		b.Run(name, func(b *testing.B) {
			tok := hsmtest.All()[name](b)
			ctx := context.Background()
			s := openBench(b, tok)
			der := pkixDER(b, &rsa4096().PublicKey)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				obj, err := s.GenerateAES256(ctx, fmt.Sprintf("byok:bench-%d", i), nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Wrap(ctx, obj, der, tok.Algorithm, 4096); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := s.Destroy(ctx, obj); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkWrap measures the wrap alone (object lookup by label, public key
// import, C_WrapKey), to separate it from the token's object-store writes.
func BenchmarkWrap(b *testing.B) {
	for _, name := range []string{"softhsm2", "nss"} {
		b.Run(name, func(b *testing.B) {
			tok := hsmtest.All()[name](b)
			ctx := context.Background()
			s := openBench(b, tok)
			der := pkixDER(b, &rsa4096().PublicKey)
			obj, err := s.GenerateAES256(ctx, "byok:bench-wrap", nil)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := s.Wrap(ctx, obj, der, tok.Algorithm, 4096); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// openBench opens a session on tok for a benchmark, closed when it ends.
func openBench(b *testing.B, tok *hsmtest.Token) *hsm.Session {
	b.Helper()
	s, err := hsm.Open(context.Background(), tok.ParsedURI(b), hsm.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}
