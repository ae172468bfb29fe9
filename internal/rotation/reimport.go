package rotation

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/store"
	"github.com/byok-dev/byok/internal/transport"
)

// StrategyReimport names re-imports in the audit log.
const StrategyReimport = "reimport"

// ErrMaterialGone means the key no longer lists the material to re-import.
var ErrMaterialGone = errors.New("key no longer has the material")

// ReimportError is the failed re-import of one material, with a hint.
type ReimportError struct {
	Alias      string
	MaterialID string
	Err        error
	Hint       string
}

func (e *ReimportError) Error() string {
	return fmt.Sprintf("re-import %s material %s: %v (hint: %s)", e.Alias, e.MaterialID, e.Err, e.Hint)
}

func (e *ReimportError) Unwrap() error { return e.Err }

// ReimportResult is one material re-imported without expiry.
type ReimportResult struct {
	Alias      string
	KeyARN     string
	MaterialID string
	BlobSHA256 string // of the primary's wrapped blob ("" when nothing was imported)
	// AlreadyDone: KMS already showed no ValidTo (an earlier re-import
	// was interrupted after the import), so only verify and record ran.
	AlreadyDone  bool
	Verification ReimportVerification
}

// ReimportVerification is what a re-import checks afterwards.
type ReimportVerification struct {
	NoExpiry bool           `json:"material_does_not_expire"` // in the primary and every replica
	KeyState string         `json:"key_state"`
	Accounts []AccountCheck `json:"accounts"` // fresh encrypt/decrypt through the alias
	At       time.Time      `json:"at"`
}

// OK reports whether every check passed.
func (v ReimportVerification) OK() bool {
	for _, a := range v.Accounts {
		if !a.FreshRoundTrip {
			return false
		}
	}
	return v.NoExpiry && v.KeyState == string(types.KeyStateEnabled)
}

// Reimport re-imports, with EXPIRATION_MODEL KEY_MATERIAL_DOES_NOT_EXPIRE,
// every expiring material of plans that byok imported (ImportType
// EXISTING_KEY_MATERIAL, KeyMaterialId unchanged) from the HSM object
// that holds it, into every replica first and the primary last, then
// verifies from every account and appends an audit entry per material.
//
// It is crash safe without a run journal: the same material always gets
// the same KeyMaterialId, a material KMS already shows without ValidTo is
// not imported again, and the primary goes last so a plan (which reads
// the primary) lists the material until every Region is done. Running it
// again is the resume. Materials byok did not import are not touched;
// they are reported by the plan with what the operator must do.
func (e *Engine) Reimport(ctx context.Context, plans []Plan, changeRef string) (store.RunID, []ReimportResult, error) {
	id := store.NewRunID(time.Now())
	var (
		out  []ReimportResult
		errs []error
	)
	for _, p := range plans {
		for _, m := range p.Expiring {
			if !m.Reimportable() {
				continue
			}
			if ctx.Err() != nil {
				return id, out, errors.Join(append(errs, ctx.Err())...)
			}
			r, err := e.reimportOne(ctx, id, changeRef, p, m)
			if err != nil {
				errs = append(errs, &ReimportError{Alias: p.Key.Alias, MaterialID: m.ID, Err: err, Hint: reimportHint(err, p, m)})
				continue
			}
			out = append(out, r)
		}
	}
	return id, out, errors.Join(errs...)
}

func reimportHint(err error, p Plan, m ExpiringMaterial) string {
	var locked *store.LockedError
	switch {
	case errors.Is(err, hsm.ErrObjectNotFound):
		return fmt.Sprintf("the HSM object %q is not on this token: point --hsm (BYOK_HSM) at the token that holds it", m.HSMLabel)
	case errors.As(err, &locked):
		return fmt.Sprintf("finish run %s first (byok resume %s), then retry", locked.HeldBy, locked.HeldBy)
	case errors.Is(err, ErrMaterialGone):
		return "re-plan (byok plan --key " + p.Key.Alias + "): the key's materials changed"
	}
	return "fix the cause and run it again (a re-import is idempotent): " + m.Command(p.Key.Alias)
}

func (e *Engine) reimportOne(ctx context.Context, id store.RunID, changeRef string, p Plan, m ExpiringMaterial) (ReimportResult, error) {
	arn := p.Status.ARN
	if holder, status, err := e.Store.LockHolder(ctx, arn); err == nil && !status.Finished() {
		return ReimportResult{}, &store.LockedError{Key: arn, HeldBy: holder}
	}
	obj, err := e.HSM.Find(ctx, m.HSMLabel)
	if err != nil {
		return ReimportResult{}, fmt.Errorf("find HSM object %q: %w", m.HSMLabel, err)
	}
	res := ReimportResult{Alias: p.Key.Alias, KeyARN: arn, MaterialID: m.ID, AlreadyDone: true}
	for _, region := range p.Key.Replicas {
		if _, _, err := e.importExisting(ctx, region, replicaARN(arn, region), obj, m); err != nil {
			return res, fmt.Errorf("replica in %s: %w", region, err)
		}
	}
	digest, done, err := e.importExisting(ctx, p.Key.Region, arn, obj, m)
	if err != nil {
		return res, err
	}
	res.BlobSHA256, res.AlreadyDone = digest, done
	e.reimportProgress(p, id, store.StepImport, nil)
	res.Verification = e.verifyReimport(ctx, p, m.ID)
	if !res.Verification.OK() {
		b, _ := json.Marshal(res.Verification)
		err := fmt.Errorf("%w: %s", ErrVerification, b)
		e.reimportProgress(p, id, store.StepVerify, err)
		return res, err
	}
	e.reimportProgress(p, id, store.StepVerify, nil)
	if err := e.recordReimport(ctx, id, changeRef, res); err != nil {
		return res, err
	}
	e.reimportProgress(p, id, store.StepRecord, nil)
	e.logger().InfoContext(ctx, "material re-imported without expiry", logRun, id.String(), logKey, arn, logMaterial, m.ID)
	return res, nil
}

// importExisting re-imports the material into one key (primary or
// replica) unless KMS already shows it without expiry. It returns the hex
// SHA-256 of the wrapped blob it imported.
func (e *Engine) importExisting(ctx context.Context, region, arn string, obj hsm.Object, m ExpiringMaterial) (string, bool, error) {
	k := e.securityKMS(region)
	st, err := Inspect(ctx, k, arn)
	if err != nil {
		return "", false, err
	}
	cur, ok := materialByID(st, m.ID)
	if !ok {
		return "", false, fmt.Errorf("%s: %w: %s", arn, ErrMaterialGone, m.ID)
	}
	if cur.ValidTo == nil {
		return "", true, nil
	}
	im := &transport.Importer{KMS: k, HSM: e.HSM, Algorithm: e.Algorithm, KeySpec: e.Estate.Policy.Wrapping.KeySpec, Logger: e.Logger}
	params, err := im.GetParameters(ctx, arn)
	if err != nil {
		return "", false, err
	}
	w, err := im.Wrap(ctx, obj, params)
	if err != nil {
		return "", false, err
	}
	// No ValidTo: the transport imports with KEY_MATERIAL_DOES_NOT_EXPIRE.
	_, err = im.Import(ctx, params, w, transport.Import{Type: types.ImportTypeExistingKeyMaterial,
		Description: m.Description, MaterialID: m.ID})
	if err != nil {
		return "", false, err
	}
	return hex.EncodeToString(w.SHA256[:]), false, nil
}

func materialByID(st KeyStatus, id string) (Material, bool) {
	for _, m := range st.Materials {
		if m.ID == id {
			return m, true
		}
	}
	return Material{}, false
}
