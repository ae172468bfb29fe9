//go:build cgo

package hsm

import (
	"context"

	"github.com/miekg/pkcs11"
)

// ReadValueForTest tries C_GetAttributeValue(CKA_VALUE) on obj, which the
// product never does, so tests can assert the token refuses it.
func ReadValueForTest(ctx context.Context, s *Session, obj Object) ([]byte, error) {
	done, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	h, err := s.resolve(ctx, obj)
	if err != nil {
		return nil, err
	}
	attrs, err := s.p.GetAttributeValue(s.sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)})
	if err != nil {
		return nil, err
	}
	return attrs[0].Value, nil
}

// BoolAttrsForTest reads CKA_TOKEN, CKA_SENSITIVE, CKA_EXTRACTABLE,
// CKA_PRIVATE, CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP in that order.
func BoolAttrsForTest(ctx context.Context, s *Session, obj Object) ([]bool, error) {
	done, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	h, err := s.resolve(ctx, obj)
	if err != nil {
		return nil, err
	}
	types := []uint{pkcs11.CKA_TOKEN, pkcs11.CKA_SENSITIVE, pkcs11.CKA_EXTRACTABLE, pkcs11.CKA_PRIVATE, pkcs11.CKA_ENCRYPT, pkcs11.CKA_DECRYPT, pkcs11.CKA_WRAP}
	var out []bool
	for _, typ := range types {
		a, err := s.p.GetAttributeValue(s.sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(typ, nil)})
		if err != nil {
			return nil, err
		}
		out = append(out, len(a[0].Value) == 1 && a[0].Value[0] != 0)
	}
	return out, nil
}

// IsRVForTest reports whether err is the PKCS#11 return value rv.
func IsRVForTest(err error, rv uint) bool { return isRV(err, rv) }

// ScansForTest is how many object searches (C_FindObjectsInit) s made.
func ScansForTest(s *Session) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scans
}
