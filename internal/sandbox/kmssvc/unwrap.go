package kmssvc

import (
	"crypto/aes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"hash"
)

var errUnwrap = errors.New("cannot unwrap key material")

// Wrapping algorithms GetParametersForImport accepts.
const (
	algOAEP1    = "RSAES_OAEP_SHA_1"
	algOAEP256  = "RSAES_OAEP_SHA_256"
	algAESWrap1 = "RSA_AES_KEY_WRAP_SHA_1"
	algAESWrap2 = "RSA_AES_KEY_WRAP_SHA_256"
	algPKCS1    = "RSAES_PKCS1_V1_5"
)

func oaepHash(alg string) hash.Hash {
	if alg == algOAEP1 || alg == algAESWrap1 {
		return sha1.New()
	}
	return sha256.New()
}

// unwrap recovers imported key material: RSAES_OAEP_* decrypt it directly
// (MGF1 with the same hash); RSA_AES_KEY_WRAP_* first recover an ephemeral
// AES key (RSA-OAEP, the first modulus-length bytes) and then unwrap the
// material with AES key wrap with padding (RFC 5649).
func unwrap(priv *rsa.PrivateKey, alg string, blob []byte) ([]byte, error) {
	switch alg {
	case algOAEP1, algOAEP256:
		pt, err := rsa.DecryptOAEP(oaepHash(alg), nil, priv, blob, nil)
		if err != nil {
			return nil, errUnwrap
		}
		return pt, nil
	case algAESWrap1, algAESWrap2:
		n := priv.Size()
		if len(blob) <= n {
			return nil, errUnwrap
		}
		kek, err := rsa.DecryptOAEP(oaepHash(alg), nil, priv, blob[:n], nil)
		if err != nil {
			return nil, errUnwrap
		}
		defer clear(kek)
		return unwrapKWP(kek, blob[n:])
	}
	return nil, errUnwrap
}

var kwpIV = [4]byte{0xA6, 0x59, 0x59, 0xA6}

// unwrapKWP is RFC 5649 key unwrap with padding.
func unwrapKWP(kek, c []byte) ([]byte, error) {
	blk, err := aes.NewCipher(kek)
	if err != nil || len(c) < 16 || len(c)%8 != 0 {
		return nil, errUnwrap
	}
	n := len(c)/8 - 1
	var a [8]byte
	r := make([]byte, 8*n)
	if n == 1 {
		var b [16]byte
		blk.Decrypt(b[:], c)
		copy(a[:], b[:8])
		copy(r, b[8:])
	} else {
		copy(a[:], c[:8])
		copy(r, c[8:])
		var b [16]byte
		for j := 5; j >= 0; j-- {
			for i := n; i >= 1; i-- {
				t := binary.BigEndian.Uint64(a[:]) ^ uint64(n*j+i)
				binary.BigEndian.PutUint64(b[:8], t)
				copy(b[8:], r[(i-1)*8:i*8])
				blk.Decrypt(b[:], b[:])
				copy(a[:], b[:8])
				copy(r[(i-1)*8:i*8], b[8:])
			}
		}
	}
	return checkKWP(a, r, n)
}

func checkKWP(a [8]byte, r []byte, n int) ([]byte, error) {
	if subtle.ConstantTimeCompare(a[:4], kwpIV[:]) != 1 {
		return nil, errUnwrap
	}
	mli := int(binary.BigEndian.Uint32(a[4:]))
	if mli <= 8*(n-1) || mli > 8*n {
		return nil, errUnwrap
	}
	for _, p := range r[mli:] {
		if p != 0 {
			return nil, errUnwrap
		}
	}
	return r[:mli], nil
}
