package rotation_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// importForeign imports random material as NEW_KEY_MATERIAL the way
// another tool would (not described with a byok run ID); it returns the
// KeyMaterialId.
func (w *world) importForeign(t *testing.T, c *kms.Client, keyID, desc string) string {
	t.Helper()
	ctx := context.Background()
	p, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: aws.String(keyID),
		WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	m := make([]byte, 32)
	rand.Read(m)
	blob, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), m, nil)
	clear(m)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: aws.String(keyID), ImportToken: p.ImportToken,
		EncryptedKeyMaterial: blob, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire,
		ImportType: types.ImportTypeNewKeyMaterial, KeyMaterialDescription: aws.String(desc)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMaterialId)
}

func TestRefusals(t *testing.T) {
	w := newWorld(t, true)
	ctx := context.Background()
	sec := w.admin(w.est.SecurityAccount, "eu-west-1")

	outside := w.key(t, "alias/dev/s3")
	outside.Alias = "alias/dev/not-in-estate"
	foreign := w.key(t, "alias/prod/s3")
	w.importForeign(t, sec, aws.ToString(w.describe(t, foreign.AliasARN(), "eu-west-1").Arn), "imported by hand")
	spent := w.key(t, "alias/dev/rds")
	arn := aws.ToString(w.describe(t, spent.AliasARN(), "eu-west-1").Arn)
	for i := 0; i < rotation.MaxOnDemandRotations; i++ {
		w.importForeign(t, sec, arn, "earlier rotation")
		if _, err := sec.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(arn)}); err != nil {
			t.Fatalf("rotation %d: %v", i+1, err)
		}
		w.sb.AdvanceClock(3 * time.Second) // the sandbox completes a rotation 2 s after it starts
	}
	cases := map[string]struct {
		key  estate.Key
		want error
	}{
		"key outside the estate":   {outside, rotation.ErrKeyNotInEstate},
		"foreign pending material": {foreign, rotation.ErrForeignPending},
		"25 rotations used":        {spent, rotation.ErrRotationLimit},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			id, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{c.key}, Strategy: estate.StrategyInPlace})
			var ref *rotation.Refusal
			var partial *rotation.PartialError
			if !errors.Is(err, c.want) || !errors.As(err, &ref) || ref.Hint == "" || !errors.As(err, &partial) || id == "" {
				t.Fatalf("Start = %q, %v; want a *PartialError with a *Refusal wrapping %v", id, err, c.want)
			}
			// The request is on record: the run is partial, names the key
			// and why, holds no lock and has no run key (nothing was done).
			run, rerr := w.st.GetRun(ctx, id)
			rqs, qerr := w.st.ListRequestKeys(ctx, id)
			rks, kerr := w.st.ListRunKeys(ctx, id)
			if rerr != nil || qerr != nil || kerr != nil || run.Status != store.StatusPartial || len(rks) != 0 ||
				len(rqs) != 1 || rqs[0].Admission != store.AdmissionRefused || !strings.Contains(rqs[0].Reason, c.want.Error()) {
				t.Fatalf("run %s: %v, request %+v, run keys %d (%v %v %v)", id, run.Status, rqs, len(rks), rerr, qerr, kerr)
			}
			if err := w.eng.Resume(ctx, id); !errors.Is(err, rotation.ErrNothingToResume) {
				t.Fatalf("resume of a partial run: %v", err)
			}
		})
	}
}

// TestCancelStopsAtBoundaryAndHoldsLock: Ctrl-C (a cancelled context)
// stops the run at the next step boundary with a resume hint; until the
// run is resumed, a second run of the same key is refused with
// store.LockedError; the resume then completes the rotation.
func TestCancelStopsAtBoundaryAndHoldsLock(t *testing.T) {
	w := newWorld(t, true)
	k := w.key(t, "alias/dev/s3")
	ctx, cancel := context.WithCancel(context.Background())
	var stoppedAfter []store.Step
	w.eng.Progress = func(p rotation.Progress) {
		if p.Phase == store.PhaseEnd {
			stoppedAfter = append(stoppedAfter, p.Step)
		}
		if p.Step == store.StepWrap && p.Phase == store.PhaseEnd {
			cancel()
		}
	}
	id, err := w.eng.Start(ctx, rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace})
	var stopped *rotation.StoppedError
	if !errors.As(err, &stopped) || !strings.Contains(err.Error(), "byok resume "+id.String()) {
		t.Fatalf("Start after cancel: %v; want StoppedError naming byok resume %s", err, id)
	}
	if last := stoppedAfter[len(stoppedAfter)-1]; last != store.StepWrap {
		t.Fatalf("ran past the boundary: steps ended %v", stoppedAfter)
	}
	w.eng.Progress = nil
	_, err = w.eng.Start(context.Background(), rotation.Request{Keys: []estate.Key{k}, Strategy: estate.StrategyInPlace})
	var locked *store.LockedError
	if !errors.As(err, &locked) || locked.HeldBy != id {
		t.Fatalf("second run: %v; want *store.LockedError held by %s", err, id)
	}
	if err := w.eng.Resume(context.Background(), id); err != nil {
		t.Fatalf("resume: %v", err)
	}
	w.checkRun(t, id, 1)
}
