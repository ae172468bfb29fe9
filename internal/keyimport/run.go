package keyimport

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/byok-dev/byok/internal/hsm"
)

// Objects is the part of the HSM that finds and creates byok's objects.
type Objects interface {
	Find(ctx context.Context, label string) (hsm.Object, error)
	GenerateAES256(ctx context.Context, label string, id []byte) (hsm.Object, error)
}

// Label is the HSM label of the material a byok run (or a first
// `byok import`, which takes a run ID of its own) imports into the key
// with that alias: "byok:<run>:<alias>". The run ID is also the
// material's KeyMaterialDescription, which is how a re-import finds the
// object again from what KMS says.
func Label(runID, alias string) string { return hsm.LabelPrefix + runID + ":" + alias }

// ObjectID is the CKA_ID byok gives the object labelled label: the first
// 16 bytes of SHA-256(label), so that the same label always names the
// same ID and a second object cannot hide behind a different one.
func ObjectID(label string) []byte {
	id := sha256.Sum256([]byte(label))
	return id[:16]
}

// Source says which HSM object holds the material: Label, generated when
// it is not on the token only if Generate (a new material); a re-import
// never generates (new material under an old ID would not decrypt
// anything).
type Source struct {
	Label    string
	Generate bool
}

// findOrGenerator is an HSM that finds or generates in one step, holding
// its session between the two and scanning labels once (*hsm.Session).
type findOrGenerator interface {
	FindOrGenerateAES256(ctx context.Context, label string, id []byte) (hsm.Object, bool, error)
}

// FindOrGenerate returns the source's object: found by label, or
// generated (AES-256, sensitive, extractable only by wrapping) with
// ObjectID when Generate is set. Without Generate a missing object is
// hsm.ErrObjectNotFound.
func FindOrGenerate(ctx context.Context, h Objects, src Source) (hsm.Object, error) {
	if fg, ok := h.(findOrGenerator); ok && src.Generate {
		obj, _, err := fg.FindOrGenerateAES256(ctx, src.Label, ObjectID(src.Label))
		if err != nil {
			return hsm.Object{}, fmt.Errorf("HSM object %q: %w", src.Label, err)
		}
		return obj, nil
	}
	obj, err := h.Find(ctx, src.Label)
	if err == nil || !src.Generate || !errors.Is(err, hsm.ErrObjectNotFound) {
		if err != nil {
			return hsm.Object{}, fmt.Errorf("HSM object %q: %w", src.Label, err)
		}
		return obj, nil
	}
	obj, err = h.GenerateAES256(ctx, src.Label, ObjectID(src.Label))
	if err != nil {
		return hsm.Object{}, fmt.Errorf("generate HSM object %q: %w", src.Label, err)
	}
	return obj, nil
}

// Rewrapped is told the new parameters and blob after an expired token
// (the engine journals the new digest).
type Rewrapped func(p Params, w hsm.Wrapped) error

// ImportRewrapping imports w (checking its digest first); when KMS says
// the import token expired, it fetches new parameters, wraps obj again,
// tells rewrapped (when set) and imports once more.
func (im *Importer) ImportRewrapping(ctx context.Context, obj hsm.Object, p Params, w hsm.Wrapped, spec Import, rewrapped Rewrapped) (string, error) {
	id, err := im.Import(ctx, p, w, spec)
	if !IsTokenExpired(err) {
		return id, err
	}
	if p, err = im.GetParameters(ctx, p.KeyID); err != nil {
		return "", err
	}
	if w, err = im.Wrap(ctx, obj, p); err != nil {
		return "", err
	}
	if rewrapped != nil {
		if err := rewrapped(p, w); err != nil {
			return "", err
		}
	}
	return im.Import(ctx, p, w, spec)
}

// Request is one whole import into one key.
type Request struct {
	KeyID  string // key ARN or ID (ImportKeyMaterial takes no alias)
	Source Source
	Import Import
}

// Result is what an import did; the digest is of the blob imported.
type Result struct {
	MaterialID string
	Object     hsm.Object
	BlobSHA256 [32]byte
}

// Run is the import sequence in one call: find or generate the object,
// get parameters, wrap, check the digest, import, and on an expired token
// fetch new parameters and wrap again.
func (im *Importer) Run(ctx context.Context, r Request) (Result, error) {
	obj, err := FindOrGenerate(ctx, im.HSM, r.Source)
	if err != nil {
		return Result{}, err
	}
	p, err := im.GetParameters(ctx, r.KeyID)
	if err != nil {
		return Result{}, err
	}
	w, err := im.Wrap(ctx, obj, p)
	if err != nil {
		return Result{}, err
	}
	res := Result{Object: obj, BlobSHA256: w.SHA256}
	res.MaterialID, err = im.ImportRewrapping(ctx, obj, p, w, r.Import, func(_ Params, nw hsm.Wrapped) error {
		res.BlobSHA256 = nw.SHA256
		return nil
	})
	return res, err
}
