//go:build cgo

package keyimport_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/hsm/hsmtest"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// runWorld is a sandbox Security account and a SoftHSM2 session.
type runWorld struct {
	sb  *sandboxrun.Sandbox
	kms *kms.Client
	im  *keyimport.Importer
}

func newRunWorld(t *testing.T) *runWorld {
	t.Helper()
	ctx := context.Background()
	tok := hsmtest.NewSoftHSM(t)
	sb := sandboxrun.NewTest(t, false)
	if err := sb.AddAccount("111111111111", "security"); err != nil {
		t.Fatal(err)
	}
	s, err := hsm.Open(ctx, tok.ParsedURI(t), hsm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	k := kms.NewFromConfig(sb.Config(ctx, "111111111111"))
	return &runWorld{sb: sb, kms: k, im: &keyimport.Importer{KMS: k, HSM: s, Algorithm: tok.Algorithm, KeySpec: "RSA_2048"}}
}

func (w *runWorld) newKey(t *testing.T) string {
	t.Helper()
	out, err := w.kms.CreateKey(context.Background(), &kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// TestRun: the one import call generates (or finds) the object, imports,
// and a re-import from the found object brings the same material back;
// without Generate a missing object is refused before any KMS call.
func TestRun(t *testing.T) {
	w := newRunWorld(t)
	ctx := context.Background()
	label := keyimport.Label("r-20261205T120000Z-0001", "alias/dev/s3")
	key := w.newKey(t)
	first, err := w.im.Run(ctx, keyimport.Request{KeyID: key, Source: keyimport.Source{Label: label, Generate: true},
		Import: keyimport.Import{Type: types.ImportTypeNewKeyMaterial, Description: "r-20261205T120000Z-0001"}})
	if err != nil || first.MaterialID == "" || first.Object.Label != label {
		t.Fatalf("first import: %+v, %v", first, err)
	}
	if _, err := w.kms.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	again, err := w.im.Run(ctx, keyimport.Request{KeyID: key, Source: keyimport.Source{Label: label},
		Import: keyimport.Import{Type: types.ImportTypeExistingKeyMaterial, MaterialID: first.MaterialID}})
	if err != nil || again.MaterialID != first.MaterialID || bytes.Equal(again.BlobSHA256[:], first.BlobSHA256[:]) {
		t.Fatalf("re-import from the found object: %+v, %v (want material %s under a new OAEP blob)", again, err, first.MaterialID)
	}
	other := w.newKey(t)
	_, err = w.im.Run(ctx, keyimport.Request{KeyID: other, Source: keyimport.Source{Label: keyimport.Label("r-20261205T120000Z-0002", "alias/dev/s3")},
		Import: keyimport.Import{Type: types.ImportTypeNewKeyMaterial}})
	if !errors.Is(err, hsm.ErrObjectNotFound) {
		t.Fatalf("missing object without Generate: %v, want hsm.ErrObjectNotFound", err)
	}
	d, err := w.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(other)})
	if err != nil || d.KeyMetadata.KeyState != types.KeyStatePendingImport {
		t.Fatalf("the refused import changed the key: %+v, %v", d.KeyMetadata, err)
	}
}

// TestImportRewrapping: an import token that expired between wrap and
// import is replaced (new parameters, the same object wrapped again) and
// the caller is told the new blob.
func TestImportRewrapping(t *testing.T) {
	w := newRunWorld(t)
	ctx := context.Background()
	key := w.newKey(t)
	label := keyimport.Label("r-20261205T120000Z-0003", "alias/dev/rds")
	obj, err := keyimport.FindOrGenerate(ctx, w.im.HSM, keyimport.Source{Label: label, Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.im.GetParameters(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	wr, err := w.im.Wrap(ctx, obj, p)
	if err != nil {
		t.Fatal(err)
	}
	w.sb.AdvanceClock(25 * time.Hour)
	var got keyimport.Params
	id, err := w.im.ImportRewrapping(ctx, obj, p, wr, keyimport.Import{Type: types.ImportTypeNewKeyMaterial},
		func(np keyimport.Params, _ hsm.Wrapped) error { got = np; return nil })
	if err != nil || id == "" || !got.ValidTo.After(p.ValidTo) {
		t.Fatalf("import after expiry: %q, %v; new parameters valid to %v (old %v)", id, err, got.ValidTo, p.ValidTo)
	}
}

func TestLabelAndObjectID(t *testing.T) {
	tests := map[string]struct{ run, alias, label string }{
		"rotation": {"r-20261205T120000Z-0001", "alias/prod/rds", "byok:r-20261205T120000Z-0001:alias/prod/rds"},
		"import":   {"r-20261205T120000Z-00ff", "alias/dev/s3", "byok:r-20261205T120000Z-00ff:alias/dev/s3"},
	}
	seen := map[string]bool{}
	for name, tc := range tests {
		l := keyimport.Label(tc.run, tc.alias)
		id := keyimport.ObjectID(l)
		if l != tc.label || len(id) != 16 || !bytes.Equal(id, keyimport.ObjectID(tc.label)) || seen[string(id)] {
			t.Errorf("%s: label %q id %x", name, l, id)
		}
		seen[string(id)] = true
	}
}
