//go:build cgo

package hsm

import (
	"bytes"
	"context"

	"github.com/miekg/pkcs11"
)

// A label scan (C_FindObjectsInit on CKA_LABEL) is linear in the token's
// objects on SoftHSM2 and NSS softokn: with a thousand byok objects on the
// token, three scans per key were most of a rotation's HSM time. The
// session therefore remembers the handle of every object it generated or
// found, and later calls on that object check the handle instead of
// scanning: one C_GetAttributeValue that must still read the same label
// and CKA_ID. PKCS#11 keeps a token object's handle for the application's
// lifetime (all its sessions), but a destroyed object's handle may be
// reused for another: the check is what makes a stale handle harmless. A
// handle that fails it is forgotten and the label scanned again; a new
// process (a resumed run) always starts by scanning.
type knownObject struct {
	handle pkcs11.ObjectHandle
	id     []byte
}

func (s *Session) remember(label string, h pkcs11.ObjectHandle, id []byte) {
	if s.known == nil {
		s.known = map[string]knownObject{}
	}
	s.known[label] = knownObject{handle: h, id: bytes.Clone(id)}
}

// knownHandle is the remembered handle of label when the token still has
// an object with that label and CKA_ID behind it (the caller holds the
// session lock).
func (s *Session) knownHandle(ctx context.Context, label string) (knownObject, bool) {
	k, ok := s.known[label]
	if !ok || ctx.Err() != nil {
		return knownObject{}, false
	}
	attrs, err := s.p.GetAttributeValue(s.sh, k.handle, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, nil), pkcs11.NewAttribute(pkcs11.CKA_LABEL, nil), pkcs11.NewAttribute(pkcs11.CKA_ID, nil),
	})
	if err != nil || !isSecretKeyClass(attrs[0].Value) || string(attrs[1].Value) != label || !bytes.Equal(attrs[2].Value, k.id) {
		delete(s.known, label) // destroyed, or the handle now names another object
		return knownObject{}, false
	}
	return k, true
}

func isSecretKeyClass(v []byte) bool {
	return bytes.Equal(v, pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY).Value)
}

// lookup is findOne that first tries the remembered handle.
func (s *Session) lookup(ctx context.Context, label string) (Object, error) {
	if k, ok := s.knownHandle(ctx, label); ok {
		return Object{Label: label, ID: bytes.Clone(k.id), handle: uint(k.handle)}, nil
	}
	return s.findOne(ctx, label)
}

// FindOrGenerateAES256 returns the byok object labelled label, generating
// it (as GenerateAES256 does, with id) when the token has none; generated
// says which. The look-up and the generation hold the session, so two
// callers in one process never make two objects for one label, and it
// scans the token's labels at most once (none for an object this session
// already knows).
func (s *Session) FindOrGenerateAES256(ctx context.Context, label string, id []byte) (obj Object, generated bool, err error) {
	return s.generate(ctx, label, id, returnExisting)
}

// GenerateUnusedAES256 generates the object as GenerateAES256 does but
// without looking for an existing one first: the label scan is what costs
// on a token with many objects. Only for a caller that knows no object has
// the label — a rotation whose journal shows it never began generating
// this key's object in this run, the run ID being part of the label. Any
// other caller uses GenerateAES256 or FindOrGenerateAES256.
func (s *Session) GenerateUnusedAES256(ctx context.Context, label string, id []byte) (Object, error) {
	obj, _, err := s.generate(ctx, label, id, assumeUnused)
	return obj, err
}
