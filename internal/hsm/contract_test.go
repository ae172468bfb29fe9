//go:build cgo

package hsm_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"hash"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
	"github.com/miekg/pkcs11"
)

// rsa4096 is the KMS-like wrapping key pair, generated once (slow on 2 cores).
var rsa4096 = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		panic(err)
	}
	return k
})

func pkixDER(t testing.TB, pub crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// harness is one token plus everything the product logged and returned, so
// the leak test can search it.
type harness struct {
	tok  *hsmtest.Token
	logs bytes.Buffer
	errs []error
}

func (h *harness) open(t *testing.T) *hsm.Session {
	t.Helper()
	log := slog.New(slog.NewJSONHandler(&h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := hsm.Open(context.Background(), h.tok.ParsedURI(t), hsm.Options{Logger: log})
	if err != nil {
		t.Fatalf("open %s: %v", h.tok.Name, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// record keeps err for the leak check and returns it.
func (h *harness) record(err error) error {
	if err != nil {
		h.errs = append(h.errs, err)
	}
	return err
}

func TestContract(t *testing.T) {
	makers := hsmtest.All()
	names := make([]string, 0, len(makers))
	for n := range makers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			h := &harness{tok: makers[name](t)}
			t.Run("lifecycle", func(t *testing.T) { testLifecycle(t, h) })
			t.Run("wrap round trip", func(t *testing.T) { testWrapRoundTrip(t, h) })
			t.Run("handle reuse", func(t *testing.T) { testHandleReuse(t, h) })
			t.Run("find or generate once", func(t *testing.T) { testFindOrGenerateOnce(t, h) })
			t.Run("value refused", func(t *testing.T) { testValueRefused(t, h) })
			t.Run("check", func(t *testing.T) { testCheck(t, h) })
			t.Run("bad input", func(t *testing.T) { testBadInput(t, h) })
			t.Run("open errors", func(t *testing.T) { testOpenErrors(t, h) })
			t.Run("no leaks", func(t *testing.T) { testNoLeaks(t, h) })
		})
	}
}

func testLifecycle(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.open(t)
	obj, err := s.GenerateAES256(ctx, "byok:run-1/prod/s3", []byte("run-1"))
	if err != nil {
		t.Fatalf("GenerateAES256: %v", err)
	}
	if _, err := s.GenerateAES256(ctx, "byok:run-1/prod/s3", []byte("x")); !errors.Is(h.record(err), hsm.ErrObjectExists) {
		t.Errorf("second GenerateAES256 = %v, want ErrObjectExists", err)
	}
	if _, err := s.GenerateAES256(ctx, "run-1/prod/s3", nil); !errors.Is(h.record(err), hsm.ErrBadLabel) {
		t.Errorf("unprefixed label = %v, want ErrBadLabel", err)
	}
	got, err := s.Find(ctx, obj.Label)
	if err != nil || !bytes.Equal(got.ID, []byte("run-1")) {
		t.Fatalf("Find = %+v, %v", got, err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 1 || list[0].Label != obj.Label || !bytes.Equal(list[0].ID, obj.ID) {
		t.Fatalf("List = %+v, %v; want the one object", list, err)
	}
	if err := s.Destroy(ctx, got); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	if _, err := s.Find(ctx, obj.Label); !errors.Is(h.record(err), hsm.ErrObjectNotFound) {
		t.Fatalf("Find after Destroy = %v, want ErrObjectNotFound", err)
	}
	if list, err := s.List(ctx); err != nil || len(list) != 0 {
		t.Fatalf("List after Destroy = %+v, %v", list, err)
	}
}

func oaepHash(alg hsm.WrappingAlgorithm) hash.Hash {
	if alg == hsm.RSAES_OAEP_SHA_256 {
		return sha256.New()
	}
	return sha1.New()
}

func testWrapRoundTrip(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.open(t)
	priv := rsa4096()
	obj, err := s.GenerateAES256(ctx, "byok:roundtrip", []byte{0x42})
	if err != nil {
		t.Fatal(err)
	}
	var plain [][]byte
	for range 2 {
		w, err := s.Wrap(ctx, obj, pkixDER(t, &priv.PublicKey), h.tok.Algorithm, 4096)
		if err != nil {
			t.Fatalf("Wrap %v: %v", h.tok.Algorithm, err)
		}
		if w.Algorithm != h.tok.Algorithm || w.Verify() != nil || len(w.Blob) != 512 {
			t.Fatalf("Wrapped = alg %v, %d bytes, Verify %v", w.Algorithm, len(w.Blob), w.Verify())
		}
		// The test holds the private key, as KMS would; the product never sees this.
		p, err := rsa.DecryptOAEP(oaepHash(h.tok.Algorithm), nil, priv, w.Blob, nil)
		if err != nil {
			t.Fatalf("DecryptOAEP: %v", err)
		}
		plain = append(plain, p)
	}
	if len(plain[0]) != hsm.AESKeyBytes || !bytes.Equal(plain[0], plain[1]) {
		t.Fatalf("unwrapped %d and %d bytes, equal=%v; want the same 32 bytes twice", len(plain[0]), len(plain[1]), bytes.Equal(plain[0], plain[1]))
	}
	if !sameCiphertexts(t, plain[0], plain[1]) {
		t.Fatal("the two unwraps do not encrypt identically")
	}
	knownMaterial[h.tok.Name] = plain[0]
}

// knownMaterial is plaintext the test recovered, searched for by testNoLeaks.
var knownMaterial = map[string][]byte{}

// sameCiphertexts checks both keys produce the same AES-GCM ciphertext for one nonce.
func sameCiphertexts(t *testing.T, k1, k2 []byte) bool {
	t.Helper()
	nonce := make([]byte, 12)
	var out [][]byte
	for _, k := range [][]byte{k1, k2} {
		b, err := aes.NewCipher(k)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := cipher.NewGCM(b)
		out = append(out, g.Seal(nil, nonce, []byte("canary"), nil))
	}
	return bytes.Equal(out[0], out[1])
}

func testValueRefused(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.open(t)
	obj, err := s.GenerateAES256(ctx, "byok:sensitive", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := hsm.ReadValueForTest(ctx, s, obj)
	if !hsm.IsRVForTest(err, pkcs11.CKR_ATTRIBUTE_SENSITIVE) || v != nil {
		t.Fatalf("C_GetAttributeValue(CKA_VALUE) = %d bytes, %v; want CKR_ATTRIBUTE_SENSITIVE", len(v), err)
	}
	attrs, err := hsm.BoolAttrsForTest(ctx, s, obj)
	want := []bool{true, true, true, true, false, false, false} // TOKEN SENSITIVE EXTRACTABLE PRIVATE ENCRYPT DECRYPT WRAP
	if err != nil || !slices.Equal(attrs, want) {
		t.Fatalf("attributes = %v, %v; want %v", attrs, err, want)
	}
}

func testCheck(t *testing.T, h *harness) {
	s := h.open(t)
	res, err := s.Check(context.Background())
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	for _, alg := range append(hsm.Algorithms(), hsm.RSAES_PKCS1_V1_5) {
		wantOK := slices.Contains(h.tok.Supported, alg)
		gotErr, present := res[alg]
		h.record(gotErr)
		if !present || (gotErr == nil) != wantOK {
			t.Errorf("Check[%v] = %v (present %v), want ok=%v", alg, gotErr, present, wantOK)
		}
	}
	var u *hsm.UnsupportedAlgorithmError
	if !errors.As(res[h.tok.Unsupported], &u) || !slices.Equal(u.Supported, h.tok.Supported) {
		t.Errorf("Check[%v] = %v; want *UnsupportedAlgorithmError listing %v", h.tok.Unsupported, res[h.tok.Unsupported], h.tok.Supported)
	}
	if !errors.Is(res[hsm.RSAES_PKCS1_V1_5], hsm.ErrPKCS1v15Refused) {
		t.Errorf("Check[PKCS1_V1_5] = %v", res[hsm.RSAES_PKCS1_V1_5])
	}
}
