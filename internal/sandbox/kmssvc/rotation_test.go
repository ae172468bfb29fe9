package kmssvc_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func TestOnDemandRotationOfImportedMaterial(t *testing.T) {
	h := newHarness(t, "")
	id := newExternalKey(t, h.a, false)
	first, err := importMaterial(t, h.a, id, randomMaterial(t, 32), importOpts{})
	noErr(t, err)
	_, err = h.a.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	wantErr[*types.KMSInvalidStateException](t, err) // nothing pending
	oldCT := encryptWith(t, h.a, id, []byte("old"))
	next, err := importMaterial(t, h.a, id, randomMaterial(t, 32), importOpts{importType: types.ImportTypeNewKeyMaterial, desc: aws.String("run-2")})
	noErr(t, err)
	r := rotations(t, h.a, id)
	if len(r) != 2 || r[1].KeyMaterialState != types.KeyMaterialStatePendingRotation || r[1].RotationDate != nil {
		t.Fatalf("rotations with pending material: %+v", r)
	}
	_, err = h.a.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	noErr(t, err)
	st, err := h.a.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &id})
	noErr(t, err)
	if st.OnDemandRotationStartDate == nil || st.KeyRotationEnabled {
		t.Fatalf("status during rotation: %+v", st)
	}
	if cur := *describe(t, h.a, id).CurrentKeyMaterialId; cur != *first.KeyMaterialId {
		t.Fatalf("current during rotation = %s, want the old %s", cur, *first.KeyMaterialId)
	}
	_, err = h.a.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	wantErr[*types.ConflictException](t, err)
	h.srv.Env.Clock.Advance(3 * time.Second)
	st, err = h.a.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &id})
	noErr(t, err)
	if st.OnDemandRotationStartDate != nil {
		t.Fatalf("rotation still in progress after the delay: %+v", st)
	}
	if cur := *describe(t, h.a, id).CurrentKeyMaterialId; cur != *next.KeyMaterialId {
		t.Fatalf("current after rotation = %s, want %s", cur, *next.KeyMaterialId)
	}
	only, err := h.a.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id})
	noErr(t, err)
	if len(only.Rotations) != 1 || only.Rotations[0].RotationType != types.RotationTypeOnDemand ||
		only.Rotations[0].KeyMaterialState != types.KeyMaterialStateCurrent || aws.ToString(only.Rotations[0].KeyMaterialDescription) != "run-2" ||
		only.Rotations[0].ImportState != types.ImportStateImported || only.Rotations[0].RotationDate == nil {
		t.Fatalf("ROTATIONS_ONLY = %+v", only.Rotations)
	}
	all := rotations(t, h.a, id)
	if all[0].KeyMaterialState != types.KeyMaterialStateNonCurrent {
		t.Fatalf("old material state = %s", all[0].KeyMaterialState)
	}
	dec, err := h.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: oldCT})
	noErr(t, err)
	if string(dec.Plaintext) != "old" || *dec.KeyMaterialId != *first.KeyMaterialId {
		t.Fatalf("old ciphertext after rotation: %q under %s", dec.Plaintext, aws.ToString(dec.KeyMaterialId))
	}
}

func TestRotationCompletesInRealTime(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	id := *out.KeyMetadata.KeyId
	_, err = h.a.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	noErr(t, err)
	deadline := time.Now().Add(time.Minute) // a failure guard: a rotation takes about 2 s
	for {
		st, err := h.a.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &id})
		noErr(t, err)
		if st.OnDemandRotationStartDate == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("rotation did not complete within a minute of real time")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if *describe(t, h.a, id).CurrentKeyMaterialId == *out.KeyMetadata.CurrentKeyMaterialId {
		t.Fatal("current material unchanged after rotation")
	}
}

func TestTwentySixthRotationIsRefused(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{})
	noErr(t, err)
	id := *out.KeyMetadata.KeyId
	for i := 0; i < 25; i++ {
		_, err := h.a.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
		noErr(t, err)
		h.srv.Env.Clock.Advance(3 * time.Second)
	}
	_, err = h.a.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	wantErr[*types.LimitExceededException](t, err)
	page, err := h.a.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, Limit: aws.Int32(10)})
	noErr(t, err)
	total := len(page.Rotations)
	for page.Truncated {
		page, err = h.a.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, Limit: aws.Int32(10), Marker: page.NextMarker})
		noErr(t, err)
		total += len(page.Rotations)
	}
	if total != 25 {
		t.Fatalf("paged rotations = %d, want 25", total)
	}
}

func TestMultiRegionImportAndRotation(t *testing.T) {
	h := newHarness(t, "")
	a2 := h.client(t, h.cred(t, acctA), region2)
	id := newExternalKey(t, h.a, true)
	if id[:4] != "mrk-" {
		t.Fatalf("multi-Region key ID %s lacks mrk-", id)
	}
	rep, err := h.a.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: &id, ReplicaRegion: aws.String(region2)})
	noErr(t, err)
	if rep.ReplicaKeyMetadata.KeyState != types.KeyStatePendingImport || *rep.ReplicaKeyMetadata.KeyId != id {
		t.Fatalf("replica metadata %+v", rep.ReplicaKeyMetadata)
	}
	m1 := randomMaterial(t, 32)
	_, err = importMaterial(t, h.a, id, m1, importOpts{})
	noErr(t, err)
	_, err = importMaterial(t, a2, id, m1, importOpts{importType: types.ImportTypeExistingKeyMaterial})
	noErr(t, err)
	md := describe(t, a2, id)
	if md.KeyState != types.KeyStateEnabled || md.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypeReplica {
		t.Fatalf("replica after import: %+v", md)
	}
	ct := encryptWith(t, h.a, id, []byte("mr"))
	_, err = a2.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
	noErr(t, err)
	m2 := randomMaterial(t, 32)
	_, err = importMaterial(t, a2, id, m2, importOpts{importType: types.ImportTypeNewKeyMaterial})
	wantErr[*types.UnsupportedOperationException](t, err)
	_, err = importMaterial(t, h.a, id, m2, importOpts{importType: types.ImportTypeNewKeyMaterial})
	noErr(t, err)
	if s := rotations(t, h.a, id)[1].KeyMaterialState; s != types.KeyMaterialStatePendingMultiRegionImportAndRotation {
		t.Fatalf("primary pending state = %s", s)
	}
	_, err = h.a.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	wantErr[*types.KMSInvalidStateException](t, err)
	_, err = importMaterial(t, a2, id, m2, importOpts{importType: types.ImportTypeExistingKeyMaterial})
	noErr(t, err)
	if s := rotations(t, h.a, id)[1].KeyMaterialState; s != types.KeyMaterialStatePendingRotation {
		t.Fatalf("primary pending state after replica import = %s", s)
	}
	_, err = h.a.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	noErr(t, err)
	h.srv.Env.Clock.Advance(3 * time.Second)
	if p, r := describe(t, h.a, id).CurrentKeyMaterialId, describe(t, a2, id).CurrentKeyMaterialId; *p != *r || *p == *rotations(t, h.a, id)[0].KeyMaterialId {
		t.Fatalf("after rotation primary %s replica %s", *p, *r)
	}
	_, err = a2.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
	noErr(t, err)
}
