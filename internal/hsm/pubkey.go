package hsm

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
)

// ParseWrappingKey parses a KMS wrapping public key (PKIX
// SubjectPublicKeyInfo DER, as GetParametersForImport returns it) and refuses
// anything but RSA of at least minBits.
func ParseWrappingKey(der []byte, minBits int) (*rsa.PublicKey, error) {
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse wrapping public key (want PKIX DER from GetParametersForImport): %w", err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("wrapping public key is %T: %w", pub, ErrNotRSA)
	}
	if bits := rsaPub.N.BitLen(); bits < minBits {
		return nil, &WeakKeyError{Bits: bits, MinBits: minBits}
	}
	return rsaPub, nil
}
