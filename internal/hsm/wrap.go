//go:build cgo

package hsm

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/miekg/pkcs11"
)

// Wrap wraps obj inside the token under the KMS wrapping public key
// publicKeyDER (PKIX DER) with alg. It refuses RSAES_PKCS1_V1_5
// (ErrPKCS1v15Refused), a non-RSA key (ErrNotRSA) and a key shorter than
// minBits (*WeakKeyError). A token that cannot do alg gives
// *UnsupportedAlgorithmError listing what it can do; byok never downgrades.
func (s *Session) Wrap(ctx context.Context, obj Object, publicKeyDER []byte, alg WrappingAlgorithm, minBits int) (Wrapped, error) {
	if err := checkAlgorithm(alg); err != nil {
		return Wrapped{}, fmt.Errorf("wrap %q: %w", obj.Label, err)
	}
	pub, err := ParseWrappingKey(publicKeyDER, minBits)
	if err != nil {
		return Wrapped{}, fmt.Errorf("wrap %q: %w", obj.Label, err)
	}
	done, err := s.begin(ctx)
	if err != nil {
		return Wrapped{}, fmt.Errorf("wrap %q: %w", obj.Label, err)
	}
	defer done()
	h, err := s.resolve(ctx, obj)
	if err != nil {
		return Wrapped{}, fmt.Errorf("wrap %q: %w", obj.Label, err)
	}
	blob, err := s.wrapWith(ctx, h, pub, alg)
	var unsupported *UnsupportedAlgorithmError
	if errors.As(err, &unsupported) {
		unsupported.Supported = s.supported(ctx)
	}
	if err != nil {
		return Wrapped{}, fmt.Errorf("wrap %q: %w", obj.Label, err)
	}
	w := Wrapped{Blob: blob, SHA256: sha256.Sum256(blob), Algorithm: alg}
	s.log.Info("wrapped key material", logKeyLabel, obj.Label, logKeyAlgorithm, alg.String(),
		logKeyBits, pub.N.BitLen(), logKeyBlobSHA, fmt.Sprintf("%x", w.SHA256))
	return w, nil
}

func checkAlgorithm(alg WrappingAlgorithm) error {
	switch {
	case alg == RSAES_PKCS1_V1_5:
		return ErrPKCS1v15Refused
	case !alg.valid():
		return &UnknownAlgorithmError{Name: alg.String()}
	}
	return nil
}

// wrapWith imports pub as a session object, wraps key under it and destroys
// the public key object again. The caller holds the session lock.
func (s *Session) wrapWith(ctx context.Context, key pkcs11.ObjectHandle, pub *rsa.PublicKey, alg WrappingAlgorithm) ([]byte, error) {
	if alg.usesAESKeyWrap() {
		if err := s.requireMechanism(pkcs11.CKM_RSA_AES_KEY_WRAP, alg); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pubH, err := s.p.CreateObject(s.sh, rsaPublicTemplate(pub))
	if err != nil {
		return nil, fmt.Errorf("import wrapping public key: C_CreateObject: %w", err)
	}
	defer func() { _ = s.p.DestroyObject(s.sh, pubH) }()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	blob, err := s.p.WrapKey(s.sh, mechanism(alg), pubH, key)
	switch {
	case isRV(err, pkcs11.CKR_MECHANISM_INVALID), isRV(err, pkcs11.CKR_MECHANISM_PARAM_INVALID), isRV(err, pkcs11.CKR_ARGUMENTS_BAD):
		// SoftHSM2 answers OAEP with SHA-256 with CKR_ARGUMENTS_BAD.
		return nil, &UnsupportedAlgorithmError{Algorithm: alg, Reason: "C_WrapKey returned " + err.Error()}
	case isRV(err, pkcs11.CKR_KEY_UNEXTRACTABLE), isRV(err, pkcs11.CKR_KEY_NOT_WRAPPABLE):
		return nil, ErrNotWrappable
	case err != nil:
		return nil, fmt.Errorf("C_WrapKey: %w", err)
	}
	if !alg.usesAESKeyWrap() && len(blob) != (pub.N.BitLen()+7)/8 {
		return nil, fmt.Errorf("C_WrapKey returned %d bytes for an RSA-%d key: the token's OAEP output is malformed", len(blob), pub.N.BitLen())
	}
	return blob, nil
}

func (s *Session) requireMechanism(mech uint, alg WrappingAlgorithm) error {
	mechs, err := s.p.GetMechanismList(s.token.Slot)
	if err != nil {
		return fmt.Errorf("C_GetMechanismList: %w", err)
	}
	if !slices.ContainsFunc(mechs, func(m *pkcs11.Mechanism) bool { return m.Mechanism == mech }) {
		return &UnsupportedAlgorithmError{Algorithm: alg, Reason: "the token does not list CKM_RSA_AES_KEY_WRAP"}
	}
	return nil
}

func rsaPublicTemplate(pub *rsa.PublicKey) []*pkcs11.Attribute {
	return []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_RSA),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, false),
		pkcs11.NewAttribute(pkcs11.CKA_WRAP, true),
		pkcs11.NewAttribute(pkcs11.CKA_ENCRYPT, true),
		pkcs11.NewAttribute(pkcs11.CKA_MODULUS, pub.N.Bytes()),
		pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, big.NewInt(int64(pub.E)).Bytes()),
	}
}

// mechanism maps a KMS wrapping algorithm to its PKCS#11 mechanism. KMS uses
// the same hash for OAEP and MGF1, and an empty OAEP label.
func mechanism(alg WrappingAlgorithm) []*pkcs11.Mechanism {
	hash, mgf := uint(pkcs11.CKM_SHA_1), uint(pkcs11.CKG_MGF1_SHA1)
	if alg == RSAES_OAEP_SHA_256 || alg == RSA_AES_KEY_WRAP_SHA_256 {
		hash, mgf = pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256
	}
	oaep := pkcs11.NewOAEPParams(hash, mgf, pkcs11.CKZ_DATA_SPECIFIED, nil)
	if alg.usesAESKeyWrap() {
		p := &pkcs11.RSAAESKeyWrapParams{AESKeyBits: 256, OAEPParams: *oaep}
		return []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_AES_KEY_WRAP, p)}
	}
	return []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_OAEP, oaep)}
}
