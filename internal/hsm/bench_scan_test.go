//go:build cgo

package hsm_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
)

// BenchmarkKeyHSMWork is one rotated key's HSM work on a token that already
// holds BYOK_BENCH_HSM_OBJECTS byok objects (default 1,000, as after a
// 1,000-key rotation): find-or-generate the key's object by its label and
// wrap it under an RSA-2048 KMS wrapping key. "find,generate,wrap" is the
// call sequence rotations made before handle reuse (Find, GenerateAES256,
// Wrap: three label scans then, two now that Wrap reuses the handle);
// "findOrGenerate,wrap" is a resumed run's (one scan) and
// "generateUnused,wrap" a fresh run's (none). Objects made inside the loop
// stay on the token, as in a run.
// Run: go test ./internal/hsm -run '^$' -bench KeyHSMWork -benchtime 200x
func BenchmarkKeyHSMWork(b *testing.B) {
	fillers := 1000
	if v, err := strconv.Atoi(os.Getenv("BYOK_BENCH_HSM_OBJECTS")); err == nil {
		fillers = v
	}
	for _, name := range []string{"softhsm2", "nss"} {
		b.Run(name, func(b *testing.B) {
			tok := hsmtest.All()[name](b)
			ctx := context.Background()
			s := openBench(b, tok)
			for i := range fillers {
				if _, err := s.GenerateAES256(ctx, fmt.Sprintf("byok:filler-%d", i), nil); err != nil {
					b.Fatal(err)
				}
			}
			der := pkixDER(b, &rsa2048().PublicKey)
			for _, seq := range keySequences {
				b.Run(seq.name, func(b *testing.B) {
					// A new session per sequence: no remembered handles from the fill.
					s := openBench(b, tok)
					for i := 0; b.Loop(); i++ {
						label := fmt.Sprintf("byok:bench-%s-%d:alias/env/svc", seq.short, i)
						obj, err := seq.find(ctx, s, label)
						if err != nil {
							b.Fatal(err)
						}
						if _, err := s.Wrap(ctx, obj, der, tok.Algorithm, 2048); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(hsm.ScansForTest(s))/float64(b.N), "scans/key")
				})
			}
		})
	}
}

var keySequences = []struct {
	name, short string
	find        func(ctx context.Context, s *hsm.Session, label string) (hsm.Object, error)
}{
	{"find,generate,wrap", "a", func(ctx context.Context, s *hsm.Session, label string) (hsm.Object, error) {
		if _, err := s.Find(ctx, label); err == nil {
			return hsm.Object{}, fmt.Errorf("%s exists", label)
		}
		return s.GenerateAES256(ctx, label, []byte(label))
	}},
	{"findOrGenerate,wrap", "b", func(ctx context.Context, s *hsm.Session, label string) (hsm.Object, error) {
		obj, _, err := s.FindOrGenerateAES256(ctx, label, []byte(label))
		return obj, err
	}},
	{"generateUnused,wrap", "c", func(ctx context.Context, s *hsm.Session, label string) (hsm.Object, error) {
		return s.GenerateUnusedAES256(ctx, label, []byte(label))
	}},
}

// rsa2048 is the benchmark's KMS wrapping key (the 1,000-key benchmark's spec).
var rsa2048 = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})
