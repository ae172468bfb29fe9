package rotation

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/store"
)

// tokenMargin keeps an import token from being used too close to expiry.
const tokenMargin = 10 * time.Minute

// plan re-checks the refusals against what KMS says now: the status the
// run was admitted with when it is fresh, else a new inspection.
func (j *keyJob) plan(ctx context.Context) error {
	var st KeyStatus
	if j.status != nil && j.retry == store.StepUnknown {
		st = *j.status
	} else {
		s, err := Inspect(ctx, j.kms, j.rk.KeyARN)
		if err != nil {
			return err
		}
		st = s
	}
	p := Decide(j.key, st, j.e.Estate.Policy, estate.Strategy(j.strategy().String()), j.run.ID.String(), time.Now())
	if p.Refused != nil {
		return p.Refused
	}
	j.status = &st
	if j.rk.OldMaterialID == "" {
		j.rk.OldMaterialID = st.CurrentID
		j.rk.OldKeyID = st.KeyID
	}
	if p.OwnPending != "" {
		j.rk.NewMaterialID = p.OwnPending
	}
	return j.save(ctx)
}

// hsmLabel names the run's HSM object so a resumed run finds it.
func (j *keyJob) hsmLabel() string { return KeyHSMLabel(j.run.ID, j.key) }

func (j *keyJob) hsmGenerate(ctx context.Context) error {
	if g, ok := j.e.HSM.(unusedGenerator); ok && j.obj == nil && j.labelUnused() {
		return j.generateUnused(ctx, g)
	}
	_, err := j.ensureObject(ctx)
	return err
}

// unusedGenerator generates an object without first scanning the token's
// labels for it (*hsm.Session): with a thousand objects on a SoftHSM2
// token each scan is tens of milliseconds of a session all keys share.
type unusedGenerator interface {
	GenerateUnusedAES256(ctx context.Context, label string, id []byte) (hsm.Object, error)
}

// labelUnused reports whether the journal proves no object has the key's
// label yet: the label names this run, and the run begins generating for
// the first time (no begun-not-ended or failed step to retry, no object
// journaled, no material imported). Any other case — a resumed or retried
// run — finds the object by label first.
func (j *keyJob) labelUnused() bool {
	return j.retry == store.StepUnknown && j.rk.HSMLabel == "" && j.rk.NewMaterialID == ""
}

func (j *keyJob) generateUnused(ctx context.Context, g unusedGenerator) error {
	label := j.hsmLabel()
	obj, err := g.GenerateUnusedAES256(ctx, label, keyimport.ObjectID(label))
	if err != nil {
		return fmt.Errorf("generate HSM object %q: %w", label, err)
	}
	j.e.failpointAt("hsm-generate:unjournaled")
	j.obj = &obj
	j.rk.HSMLabel = label
	return j.save(ctx)
}

func (j *keyJob) ensureObject(ctx context.Context) (hsm.Object, error) {
	if j.obj != nil {
		return *j.obj, nil
	}
	label := j.hsmLabel()
	// Material imported from the object must never be regenerated: a new
	// object under the same label would not decrypt what the old made.
	obj, err := keyimport.FindOrGenerate(ctx, j.e.HSM, keyimport.Source{Label: label, Generate: j.rk.NewMaterialID == ""})
	if errors.Is(err, hsm.ErrObjectNotFound) {
		return hsm.Object{}, fmt.Errorf("HSM object %q is gone but material %s was imported from it: %w", label, j.rk.NewMaterialID, err)
	}
	if err != nil {
		return hsm.Object{}, err
	}
	j.obj = &obj
	if j.rk.HSMLabel != label {
		j.rk.HSMLabel = label
		return obj, j.save(ctx)
	}
	return obj, nil
}

func (j *keyJob) importer(region string) *keyimport.Importer {
	return &keyimport.Importer{KMS: j.e.securityKMS(region), HSM: j.e.HSM,
		Algorithm: j.e.Algorithm, KeySpec: j.e.Estate.Policy.Wrapping.KeySpec, Logger: j.e.Logger}
}

func (j *keyJob) getParameters(ctx context.Context) error {
	if j.rk.NewMaterialID != "" {
		return nil // already imported; nothing to fetch
	}
	_, err := j.ensureParams(ctx)
	return err
}

func (j *keyJob) ensureParams(ctx context.Context) (keyimport.Params, error) {
	p := keyimport.Params{KeyID: j.targetKey(), PublicKey: j.rk.PublicKey, ImportToken: j.rk.ImportToken, ValidTo: j.rk.ParametersValidTo}
	if p.Usable(time.Now(), tokenMargin) {
		j.params = p
		return p, nil
	}
	p, err := j.importer(j.key.Region).GetParameters(ctx, j.targetKey())
	if err != nil {
		return p, err
	}
	j.params, j.wrapped = p, nil
	j.rk.PublicKey, j.rk.ImportToken, j.rk.ParametersValidTo = p.PublicKey, p.ImportToken, p.ValidTo
	return p, j.save(ctx)
}

func (j *keyJob) wrap(ctx context.Context) error {
	if j.rk.NewMaterialID != "" {
		return nil
	}
	_, err := j.ensureWrapped(ctx)
	return err
}

// ensureWrapped wraps the HSM object under the current parameters; a
// resumed run re-wraps (OAEP is randomised, so the digest is new and is
// journaled again) rather than keeping blobs at rest.
func (j *keyJob) ensureWrapped(ctx context.Context) (hsm.Wrapped, error) {
	if j.wrapped != nil {
		return *j.wrapped, nil
	}
	obj, err := j.ensureObject(ctx)
	if err != nil {
		return hsm.Wrapped{}, err
	}
	p, err := j.ensureParams(ctx)
	if err != nil {
		return hsm.Wrapped{}, err
	}
	w, err := j.importer(j.key.Region).Wrap(ctx, obj, p)
	if err != nil {
		return hsm.Wrapped{}, err
	}
	j.wrapped = &w
	j.rk.BlobSHA256 = hex.EncodeToString(w.SHA256[:])
	return w, j.save(ctx)
}

func (j *keyJob) importMaterial(ctx context.Context) error {
	if j.rk.NewMaterialID != "" {
		return nil
	}
	if id, err := j.alreadyImported(ctx); err != nil || id != "" { // only after a crash inside import
		if id != "" {
			j.rk.NewMaterialID = id
			return j.save(ctx)
		}
		return err
	}
	id, err := j.importOnce(ctx)
	if err != nil {
		// The import may have taken effect and its answer been lost (the
		// SDK's retry then sees IncorrectKeyMaterial or a pending material):
		// ask KMS which material it now has before calling it a failure.
		found, ferr := j.findImported(ctx)
		if ferr != nil || found == "" {
			return errors.Join(err, ferr)
		}
		j.e.logger().WarnContext(ctx, "ImportKeyMaterial failed but KMS has the run's material (its answer was lost)",
			logRun, j.run.ID.String(), logKey, j.rk.KeyARN, logMaterial, found)
		id = found
	}
	j.rk.NewMaterialID = id
	return j.save(ctx)
}

func (j *keyJob) importOnce(ctx context.Context) (string, error) {
	obj, err := j.ensureObject(ctx)
	if err != nil {
		return "", err
	}
	w, err := j.ensureWrapped(ctx)
	if err != nil {
		return "", err
	}
	// NEW_KEY_MATERIAL in both strategies: in place it becomes the pending
	// material; into a new key it is the first material (KMS refuses
	// EXISTING_KEY_MATERIAL for material never associated with the key).
	// A byok import may ask for an expiry (validTo); a rotation never does.
	spec := keyimport.Import{Type: types.ImportTypeNewKeyMaterial, Description: j.run.ID.String(), ValidTo: j.validTo()}
	return j.importer(j.key.Region).ImportRewrapping(ctx, obj, j.params, w, spec, j.rewrapped(ctx))
}

// rewrapped journals the parameters and blob digest of a re-wrap after an
// expired import token.
func (j *keyJob) rewrapped(ctx context.Context) keyimport.Rewrapped {
	return func(p keyimport.Params, w hsm.Wrapped) error {
		j.params, j.wrapped = p, &w
		j.rk.PublicKey, j.rk.ImportToken, j.rk.ParametersValidTo = p.PublicKey, p.ImportToken, p.ValidTo
		j.rk.BlobSHA256 = hex.EncodeToString(w.SHA256[:])
		return j.save(ctx)
	}
}

// alreadyImported finds material this run imported before a crash: a
// pending material described with the run ID (in place), or a new key
// that already has material (new key).
func (j *keyJob) alreadyImported(ctx context.Context) (string, error) {
	if j.retry != store.StepImport {
		return "", nil // the journal shows no earlier import attempt of this run
	}
	return j.findImported(ctx)
}

// findImported is the material of this run KMS shows in the target key:
// pending (or current) and described with the run ID, or, in a key the
// run created, its material.
func (j *keyJob) findImported(ctx context.Context) (string, error) {
	st, err := Inspect(ctx, j.kms, j.targetKey())
	if err != nil {
		return "", err
	}
	for _, m := range st.Materials {
		if m.Description == j.run.ID.String() && m.State != types.KeyMaterialStateNonCurrent {
			return m.ID, nil
		}
	}
	if j.strategy() != InPlace && st.State != types.KeyStatePendingImport && st.CurrentID != "" {
		return st.CurrentID, nil
	}
	return "", nil
}

func (j *keyJob) targetKey() string {
	if j.strategy() == NewKey && j.rk.NewKeyID != "" {
		return j.rk.NewKeyID
	}
	return j.rk.KeyARN
}

func (j *keyJob) strategy() Strategy { return j.proc.strategy }

func replicaARN(primary, region string) string {
	parts := strings.SplitN(primary, ":", 6)
	if len(parts) < 6 {
		return primary
	}
	parts[3] = region
	return strings.Join(parts, ":")
}
