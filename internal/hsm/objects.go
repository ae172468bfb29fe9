//go:build cgo

package hsm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/pkcs11"
)

// GenerateAES256 generates 32 bytes of AES key material as a persistent,
// private, sensitive token object. CKA_EXTRACTABLE is true only so C_WrapKey
// can export it wrapped; sensitivity keeps C_GetAttributeValue(CKA_VALUE)
// refused. The key can do nothing else (no encrypt, decrypt, wrap, sign).
func (s *Session) GenerateAES256(ctx context.Context, label string, id []byte) (Object, error) {
	obj, _, err := s.generate(ctx, label, id, refuseExisting)
	return obj, err
}

// existing is what generating does about an object that may already
// carry the label.
type existing int

const (
	refuseExisting existing = iota // ErrObjectExists (GenerateAES256)
	returnExisting                 // return it, generated false (FindOrGenerateAES256)
	assumeUnused                   // do not look (GenerateUnusedAES256)
)

// generate is the three generating calls: the label checked, the session
// held for the look-up and the generation, every error prefixed with the
// call and the label.
func (s *Session) generate(ctx context.Context, label string, id []byte, ex existing) (obj Object, generated bool, err error) {
	op := "generate"
	if ex == returnExisting {
		op = "find or generate"
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%s %q: %w", op, label, err)
		}
	}()
	if err := checkLabel(label); err != nil {
		return Object{}, false, err
	}
	done, err := s.begin(ctx)
	if err != nil {
		return Object{}, false, err
	}
	defer done()
	if ex != assumeUnused {
		switch found, err := s.lookup(ctx, label); {
		case err == nil && ex == returnExisting:
			return found, false, nil
		case err == nil:
			return Object{}, false, ErrObjectExists
		case !errors.Is(err, ErrObjectNotFound):
			return Object{}, false, err
		}
	}
	if obj, err = s.generateLocked(ctx, label, id); err != nil {
		return Object{}, false, err
	}
	return obj, true, nil
}

// checkLabel refuses a label outside byok's prefix (or the bare prefix).
func checkLabel(label string) error {
	if !strings.HasPrefix(label, LabelPrefix) || len(label) == len(LabelPrefix) {
		return ErrBadLabel
	}
	return nil
}

// generateLocked generates the object once the caller has made sure the
// label is free (holding the session lock) and remembers its handle.
func (s *Session) generateLocked(ctx context.Context, label string, id []byte) (Object, error) {
	if err := ctx.Err(); err != nil {
		return Object{}, err
	}
	h, err := s.p.GenerateKey(s.sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_KEY_GEN, nil)}, aesTemplate(label, id, true))
	if err != nil {
		return Object{}, fmt.Errorf("C_GenerateKey: %w", err)
	}
	s.remember(label, h, id)
	s.log.Info("generated key material", logKeyLabel, label)
	return Object{Label: label, ID: id, handle: uint(h)}, nil
}

func aesTemplate(label string, id []byte, token bool) []*pkcs11.Attribute {
	t := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_AES),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE_LEN, AESKeyBytes),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, token),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, true),
		pkcs11.NewAttribute(pkcs11.CKA_ENCRYPT, false),
		pkcs11.NewAttribute(pkcs11.CKA_DECRYPT, false),
		pkcs11.NewAttribute(pkcs11.CKA_WRAP, false),
		pkcs11.NewAttribute(pkcs11.CKA_UNWRAP, false),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, false),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, false),
	}
	if label != "" {
		t = append(t, pkcs11.NewAttribute(pkcs11.CKA_LABEL, label), pkcs11.NewAttribute(pkcs11.CKA_ID, id))
	}
	if token {
		t = append(t, pkcs11.NewAttribute(pkcs11.CKA_START_DATE, time.Now().UTC()))
	}
	return t
}

// Find returns the byok object with this label (ErrObjectNotFound if none).
func (s *Session) Find(ctx context.Context, label string) (Object, error) {
	done, err := s.begin(ctx)
	if err != nil {
		return Object{}, fmt.Errorf("find %q: %w", label, err)
	}
	defer done()
	o, err := s.lookup(ctx, label)
	if err != nil {
		return Object{}, fmt.Errorf("find %q: %w", label, err)
	}
	return o, nil
}

func (s *Session) findOne(ctx context.Context, label string) (Object, error) {
	if !strings.HasPrefix(label, LabelPrefix) {
		return Object{}, ErrBadLabel
	}
	hs, err := s.findHandles(ctx, pkcs11.NewAttribute(pkcs11.CKA_LABEL, label))
	if err != nil {
		return Object{}, err
	}
	switch len(hs) {
	case 0:
		return Object{}, ErrObjectNotFound
	case 1:
		info, err := s.info(ctx, hs[0])
		if err != nil {
			return Object{}, err
		}
		s.remember(label, hs[0], info.ID)
		return Object{Label: label, ID: info.ID, handle: uint(hs[0])}, nil
	}
	return Object{}, ErrAmbiguousLabel
}

// findHandles lists the secret-key objects matching attrs.
func (s *Session) findHandles(ctx context.Context, attrs ...*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	tmpl := append([]*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY)}, attrs...)
	s.scans++
	if err := s.p.FindObjectsInit(s.sh, tmpl); err != nil {
		return nil, fmt.Errorf("C_FindObjectsInit: %w", err)
	}
	defer func() { _ = s.p.FindObjectsFinal(s.sh) }()
	var all []pkcs11.ObjectHandle
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hs, _, err := s.p.FindObjects(s.sh, 64)
		if err != nil {
			return nil, fmt.Errorf("C_FindObjects: %w", err)
		}
		if len(hs) == 0 {
			return all, nil
		}
		all = append(all, hs...)
	}
}

// List returns byok's objects on the token (labels starting with
// LabelPrefix): label, ID and creation date, never values.
func (s *Session) List(ctx context.Context) ([]ObjectInfo, error) {
	done, err := s.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("list objects: %w", err)
	}
	defer done()
	hs, err := s.findHandles(ctx)
	if err != nil {
		return nil, fmt.Errorf("list objects: %w", err)
	}
	var out []ObjectInfo
	for _, h := range hs {
		info, err := s.info(ctx, h)
		if err != nil {
			return nil, fmt.Errorf("list objects: %w", err)
		}
		if strings.HasPrefix(info.Label, LabelPrefix) {
			out = append(out, info)
		}
	}
	return out, nil
}

// info reads CKA_LABEL, CKA_ID and CKA_START_DATE; the only attributes byok
// ever reads from a key object.
func (s *Session) info(ctx context.Context, h pkcs11.ObjectHandle) (ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return ObjectInfo{}, err
	}
	attrs, err := s.p.GetAttributeValue(s.sh, h, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, nil), pkcs11.NewAttribute(pkcs11.CKA_ID, nil),
	})
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("C_GetAttributeValue(CKA_LABEL, CKA_ID): %w", err)
	}
	info := ObjectInfo{Label: string(attrs[0].Value), ID: attrs[1].Value}
	// CKA_START_DATE is optional: a token that did not keep it leaves Created zero.
	if d, err := s.p.GetAttributeValue(s.sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_START_DATE, nil)}); err == nil {
		info.Created = parseCKDate(d[0].Value)
	}
	return info, nil
}

// parseCKDate parses a CK_DATE ("YYYYMMDD" as 8 ASCII digits).
func parseCKDate(b []byte) time.Time {
	if len(b) != 8 {
		return time.Time{}
	}
	t, err := time.Parse("20060102", string(b))
	if err != nil {
		return time.Time{}
	}
	return t
}

// Destroy deletes a byok object from the token. The material is gone for
// good: only destroy after every KMS key using it has been re-imported or
// deleted.
func (s *Session) Destroy(ctx context.Context, obj Object) error {
	if !strings.HasPrefix(obj.Label, LabelPrefix) {
		return fmt.Errorf("destroy %q: %w", obj.Label, ErrBadLabel)
	}
	done, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("destroy %q: %w", obj.Label, err)
	}
	defer done()
	h, err := s.resolve(ctx, obj)
	if err != nil {
		return fmt.Errorf("destroy %q: %w", obj.Label, err)
	}
	if err := s.p.DestroyObject(s.sh, h); err != nil {
		return fmt.Errorf("destroy %q: C_DestroyObject: %w", obj.Label, err)
	}
	delete(s.known, obj.Label)
	s.log.Info("destroyed key material", logKeyLabel, obj.Label)
	return nil
}

// resolve looks obj up again (by the handle this session remembers for its
// label, else by label) and checks its CKA_ID, so a handle from another
// session can never make byok wrap or destroy the wrong key.
func (s *Session) resolve(ctx context.Context, obj Object) (pkcs11.ObjectHandle, error) {
	cur, err := s.lookup(ctx, obj.Label)
	if err != nil {
		return 0, err
	}
	if !bytes.Equal(cur.ID, obj.ID) {
		return 0, fmt.Errorf("object %q has CKA_ID %x on the token, not %x: %w", obj.Label, cur.ID, obj.ID, ErrObjectNotFound)
	}
	return pkcs11.ObjectHandle(cur.handle), nil
}
