//go:build cgo

package hsm

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"
)

// probeRSABits is the size of the throwaway RSA key Check wraps under; the
// token's answer does not depend on it, so the cheaper size is used.
const probeRSABits = 2048

// Check reports, per KMS wrapping algorithm, whether this token can really
// wrap with it (nil) or why not. It tries each one: a throwaway session AES
// key (CKA_TOKEN false, gone when the session closes) wrapped under a fresh
// RSA public key. RSAES_PKCS1_V1_5 is always ErrPKCS1v15Refused.
func (s *Session) Check(ctx context.Context) (map[WrappingAlgorithm]error, error) {
	done, err := s.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("check token: %w", err)
	}
	defer done()
	res, err := s.probe(ctx)
	if err != nil {
		return nil, fmt.Errorf("check token: %w", err)
	}
	return res, nil
}

func (s *Session) probe(ctx context.Context) (map[WrappingAlgorithm]error, error) {
	priv, err := rsa.GenerateKey(rand.Reader, probeRSABits)
	if err != nil {
		return nil, fmt.Errorf("generate probe RSA key: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key, err := s.p.GenerateKey(s.sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_KEY_GEN, nil)}, aesTemplate("", nil, false))
	if err != nil {
		return nil, fmt.Errorf("generate probe session key: C_GenerateKey: %w", err)
	}
	defer func() { _ = s.p.DestroyObject(s.sh, key) }()
	res := map[WrappingAlgorithm]error{RSAES_PKCS1_V1_5: ErrPKCS1v15Refused}
	for _, alg := range Algorithms() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		_, res[alg] = s.wrapWith(ctx, key, &priv.PublicKey, alg)
		s.log.Debug("probed wrapping algorithm", logKeyAlgorithm, alg.String(), logKeyOK, res[alg] == nil)
	}
	can := supportedOf(res)
	for _, err := range res {
		var u *UnsupportedAlgorithmError
		if errors.As(err, &u) {
			u.Supported = can
		}
	}
	return res, nil
}

func supportedOf(res map[WrappingAlgorithm]error) []WrappingAlgorithm {
	out := []WrappingAlgorithm{}
	for _, alg := range Algorithms() {
		if res[alg] == nil {
			out = append(out, alg)
		}
	}
	return out
}

// supported lists the algorithms the token can do, for error messages; a
// failed probe yields nil (the error then says "none known").
func (s *Session) supported(ctx context.Context) []WrappingAlgorithm {
	res, err := s.probe(ctx)
	if err != nil {
		return nil
	}
	return supportedOf(res)
}
