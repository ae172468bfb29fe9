package kmssvc_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
	"github.com/byok-dev/byok/internal/sandbox/trail"
)

func events(h *harness, account string) []trail.Event {
	var out []trail.Event
	h.srv.Env.Trail.Visible(account, region, func(e trail.Event) bool { out = append(out, e); return true })
	return out
}

func TestCloudTrailEvents(t *testing.T) {
	h := newHarness(t, "")
	key, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(sharedPolicy(""))})
	noErr(t, err)
	arn := *key.KeyMetadata.Arn
	enc, err := h.a.Encrypt(ctx, &kms.EncryptInput{KeyId: &arn, Plaintext: []byte("do-not-log-me"),
		EncryptionContext: map[string]string{"Bucket": "b"}})
	noErr(t, err)
	other, _ := h.roleClient(t, acctB, "other")
	_, err = other.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"Bucket": "b"}})
	wantDenied(t, err)

	inA := events(h, acctA)
	if len(inA) != 3 {
		t.Fatalf("events in A: %d, want 3 (CreateKey, Encrypt, failed Decrypt)", len(inA))
	}
	failed, encrypt, create := inA[0], inA[1], inA[2]
	if failed.EventName != "Decrypt" || failed.ErrorCode != "AccessDeniedException" || failed.ErrorMessage == "" ||
		failed.UserIdentity.AccountID != acctB || failed.UserIdentity.Type != "AssumedRole" ||
		len(failed.Resources) != 1 || failed.Resources[0].ARN != arn || failed.Resources[0].Type != "AWS::KMS::Key" || !failed.ReadOnly {
		t.Fatalf("failed Decrypt event %+v", failed)
	}
	if encrypt.AdditionalEventData["keyMaterialId"] != *key.KeyMetadata.CurrentKeyMaterialId ||
		encrypt.RequestParameters["encryptionAlgorithm"] != "SYMMETRIC_DEFAULT" || encrypt.ResponseElements != nil ||
		encrypt.RequestParameters["encryptionContext"].(map[string]any)["Bucket"] != "b" ||
		encrypt.EventSource != "kms.amazonaws.com" || encrypt.AWSRegion != region {
		t.Fatalf("Encrypt event %+v", encrypt)
	}
	if create.ReadOnly || create.ResponseElements["keyMetadata"] == nil {
		t.Fatalf("CreateKey event %+v", create)
	}
	raw, _ := json.Marshal(inA)
	if strings.Contains(string(raw), "do-not-log-me") || strings.Contains(string(raw), "ZG8tbm90LWxvZy1tZQ") {
		t.Fatal("plaintext reached the trail")
	}
	inB := events(h, acctB)
	if len(inB) != 1 || inB[0].EventName != "Decrypt" {
		t.Fatalf("events in B: %+v", inB)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.log")
	h := newHarness(t, path)
	id := newExternalKey(t, h.a, false)
	mat := randomMaterial(t, 32)
	imp, err := importMaterial(t, h.a, id, mat, importOpts{})
	noErr(t, err)
	_, err = h.a.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/dev/rds"), TargetKeyId: &id})
	noErr(t, err)
	_, err = h.a.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: []types.Tag{{TagKey: aws.String("env"), TagValue: aws.String("dev")}}})
	noErr(t, err)
	p := params(t, h.a, id, importOpts{}) // a token issued before the restart
	ct := encryptWith(t, h.a, "alias/dev/rds", []byte("kept"))
	before := h.srv.Env.Trail.Len()

	// A second sandbox on the same file, without closing the first: what a
	// SIGKILLed process leaves behind.
	h2 := newHarness(t, path)
	dec, err := h2.a.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
	noErr(t, err)
	if string(dec.Plaintext) != "kept" || *dec.KeyMaterialId != *imp.KeyMaterialId {
		t.Fatalf("decrypt after restart %+v", dec)
	}
	tags, err := h2.a.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &id})
	noErr(t, err)
	if len(tags.Tags) != 1 {
		t.Fatalf("tags after restart %+v", tags.Tags)
	}
	if h2.srv.Env.Trail.Len() < before {
		t.Fatalf("trail after restart has %d events, want ≥ %d", h2.srv.Env.Trail.Len(), before)
	}
	_, err = h2.a.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: &id})
	noErr(t, err)
	_, err = h2.a.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken,
		EncryptedKeyMaterial: wrap(t, p.PublicKey, types.AlgorithmSpecRsaesOaepSha256, mat),
		ExpirationModel:      types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	noErr(t, err)
}

func TestResolveKey(t *testing.T) {
	h := newHarness(t, "")
	shared, err := h.a.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(sharedPolicy(""))})
	noErr(t, err)
	_, err = h.a.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/prod/dynamodb"), TargetKeyId: shared.KeyMetadata.KeyId})
	noErr(t, err)
	credA, credB := h.cred(t, acctA), h.cred(t, acctB)
	callA := svc.Call{Caller: credA.Principal, Region: region, Now: h.srv.Env.Clock.Now(), Op: "CreateTable"}
	callB := svc.Call{Caller: credB.Principal, Region: region, Now: h.srv.Env.Clock.Now(), Op: "CreateTable"}
	got, err := h.kms.ResolveKey(callA, "alias/prod/dynamodb")
	noErr(t, err)
	if got != *shared.KeyMetadata.Arn {
		t.Fatalf("resolved %s", got)
	}
	managed, err := h.kms.ResolveKey(callA, "alias/aws/dynamodb")
	noErr(t, err)
	if !strings.HasPrefix(managed, "arn:aws:kms:"+region+":"+acctA+":key/") {
		t.Fatalf("managed key %s", managed)
	}
	_, err = h.kms.ResolveKey(callB, *shared.KeyMetadata.Arn) // the user of B is not the trusted role
	wantResolveCode(t, err, "AccessDeniedException")
	_, err = h.kms.ResolveKey(callB, "alias/prod/dynamodb") // resolved in B's account: no such alias
	wantResolveCode(t, err, "NotFoundException")
}

func wantResolveCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *awsproto.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}
