package rotation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/store"
)

// The re-import procedure: the same material (same KeyMaterialId, found
// in the HSM by label, never generated) imported again as
// EXISTING_KEY_MATERIAL without expiry, into each replica first
// (multi-Region keys only) and the primary last. Each step is idempotent
// given the run key and what KMS says: NewMaterialID is set (to the same
// ID as OldMaterialID) once the primary shows the material without
// ValidTo, and every import first checks that KMS still shows a ValidTo.
func init() {
	register(&procedure{strategy: Reimport, table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).reimportPlan, next: []store.Step{store.StepCanaries}},
		{step: store.StepCanaries, do: (*keyJob).reimportCanaries, next: []store.Step{store.StepHSMFind}},
		{step: store.StepHSMFind, do: (*keyJob).reimportFind, next: []store.Step{store.StepImportReplicas, store.StepGetParameters}},
		{step: store.StepImportReplicas, do: (*keyJob).reimportReplicas, next: []store.Step{store.StepGetParameters}, applies: multiRegionOnly},
		{step: store.StepGetParameters, do: (*keyJob).getParameters, next: []store.Step{store.StepWrap}},
		{step: store.StepWrap, do: (*keyJob).reimportWrap, next: []store.Step{store.StepImport}},
		{step: store.StepImport, do: (*keyJob).reimportPrimary, next: []store.Step{store.StepVerify}},
		{step: store.StepVerify, do: (*keyJob).reimportVerify, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).record, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
}

func (j *keyJob) reimportFind(ctx context.Context) error {
	_, err := j.reimportObject(ctx)
	return err
}

// reimportWrap wraps the found object; it never lets wrap generate one.
func (j *keyJob) reimportWrap(ctx context.Context) error {
	if j.rk.NewMaterialID != "" {
		return nil
	}
	if _, err := j.reimportObject(ctx); err != nil {
		return err
	}
	return j.wrap(ctx)
}

// reimportPlan checks that the key still has the material and notes when
// KMS already shows it without expiry (nothing left to import).
func (j *keyJob) reimportPlan(ctx context.Context) error {
	st, err := Inspect(ctx, j.kms, j.rk.KeyARN)
	if err != nil {
		return err
	}
	j.status = &st
	if j.rk.OldMaterialID == "" { // killed before the material was written
		exp := expiringMaterials(j.key, st, j.e.Estate.Policy.ExpiryWarning, time.Now())
		for _, m := range exp {
			if m.Reimportable() {
				j.rk.OldMaterialID, j.rk.HSMLabel = m.ID, m.HSMLabel
				break
			}
		}
	}
	m, ok := materialByID(st, j.rk.OldMaterialID)
	if !ok || j.rk.OldMaterialID == "" {
		return &Refusal{KeyARN: j.rk.KeyARN, Err: fmt.Errorf("%w: %q", ErrMaterialGone, j.rk.OldMaterialID),
			Hint: "re-plan (byok plan --key " + j.key.Alias + "): the key's materials changed"}
	}
	if j.rk.HSMLabel == "" {
		run, err := store.ParseRunID(m.Description)
		if err != nil {
			return &Refusal{KeyARN: j.rk.KeyARN, Err: fmt.Errorf("%s: %w", m.ID, ErrNotByokMaterial),
				Hint: ExpiringMaterial{ID: m.ID, Description: m.Description}.Hint(j.key.Alias)}
		}
		j.rk.HSMLabel = KeyHSMLabel(run, j.key)
	}
	if m.ValidTo == nil {
		j.rk.NewMaterialID = m.ID
	}
	return j.save(ctx)
}

// reimportCanaries encrypts the canaries that prove old data still
// decrypts afterwards. A key whose material already expired cannot
// encrypt (KMS deleted the material and made the key PendingImport); its
// verification then checks the fresh round trip only.
func (j *keyJob) reimportCanaries(ctx context.Context) error {
	if j.status == nil {
		st, err := Inspect(ctx, j.kms, j.rk.KeyARN)
		if err != nil {
			return err
		}
		j.status = &st
	}
	if j.status.State != types.KeyStateEnabled {
		return nil
	}
	return j.canaries(ctx)
}

// reimportObject finds the HSM object named by the run key. It never
// generates one: a re-import must import the very same material.
func (j *keyJob) reimportObject(ctx context.Context) (hsm.Object, error) {
	if j.obj != nil {
		return *j.obj, nil
	}
	if j.rk.HSMLabel == "" {
		return hsm.Object{}, fmt.Errorf("run key names no HSM object: %w", store.ErrInvalid)
	}
	obj, err := j.e.HSM.Find(ctx, j.rk.HSMLabel)
	if legacy := j.legacyLabel(); errors.Is(err, hsm.ErrObjectNotFound) && legacy != "" {
		// A run made before secondary-Region labels carried the Region
		// labelled this key's object by alias alone.
		obj, err = j.e.HSM.Find(ctx, legacy)
	}
	if errors.Is(err, hsm.ErrObjectNotFound) {
		return hsm.Object{}, missingObject(j.rk.KeyARN, j.rk.HSMLabel, j.run.ID, err)
	}
	if err != nil {
		return hsm.Object{}, fmt.Errorf("find HSM object %q: %w", j.rk.HSMLabel, err)
	}
	j.obj = &obj
	return obj, nil
}

// reimportReplicas imports into each replica before the primary, so the
// primary (which plans read) shows a ValidTo until every Region is done.
// A replica's parameters are fetched, used and dropped within the step;
// only the primary's are journaled.
func (j *keyJob) reimportReplicas(ctx context.Context) error {
	for _, region := range j.key.Replicas {
		if err := j.reimportInto(ctx, region, replicaARN(j.rk.KeyARN, region)); err != nil {
			return fmt.Errorf("replica in %s: %w", region, err)
		}
	}
	return nil
}

func (j *keyJob) reimportInto(ctx context.Context, region, arn string) error {
	m, err := j.expiringMaterial(ctx, j.e.securityKMS(region), arn)
	if err != nil || m.ValidTo == nil {
		return err
	}
	_, err = j.importer(region).Run(ctx, keyimport.Request{KeyID: arn, Source: keyimport.Source{Label: j.rk.HSMLabel},
		Import: existingImport(m)})
	if errors.Is(err, hsm.ErrObjectNotFound) {
		return missingObject(j.rk.KeyARN, j.rk.HSMLabel, j.run.ID, err)
	}
	if err != nil && j.noLongerExpires(ctx, j.e.securityKMS(region), arn) {
		return nil // the import took effect; its answer was lost
	}
	return err
}

// noLongerExpires reports whether KMS shows the run's material without a
// ValidTo after an import error (a lost answer).
func (j *keyJob) noLongerExpires(ctx context.Context, k KMS, arn string) bool {
	m, err := j.expiringMaterial(ctx, k, arn)
	return err == nil && m.ValidTo == nil
}

// expiringMaterial is the run's material as KMS shows it in one key.
func (j *keyJob) expiringMaterial(ctx context.Context, k KMS, arn string) (Material, error) {
	st, err := Inspect(ctx, k, arn)
	if err != nil {
		return Material{}, err
	}
	m, ok := materialByID(st, j.rk.OldMaterialID)
	if !ok {
		return Material{}, fmt.Errorf("%s: %w: %s", arn, ErrMaterialGone, j.rk.OldMaterialID)
	}
	return m, nil
}

// existingImport re-imports m as itself: same KeyMaterialId and
// description, no ValidTo (the transport then imports with
// KEY_MATERIAL_DOES_NOT_EXPIRE).
func existingImport(m Material) keyimport.Import {
	return keyimport.Import{Type: types.ImportTypeExistingKeyMaterial, Description: m.Description, MaterialID: m.ID}
}

// reimportPrimary imports into the primary unless KMS already shows the
// material without ValidTo (a kill after the import, before the journal).
func (j *keyJob) reimportPrimary(ctx context.Context) error {
	if j.rk.NewMaterialID != "" {
		return nil
	}
	m, err := j.expiringMaterial(ctx, j.kms, j.rk.KeyARN)
	if err != nil {
		return err
	}
	if m.ValidTo != nil {
		if err := j.importPrimaryOnce(ctx, m); err != nil {
			return err
		}
	}
	j.rk.NewMaterialID = m.ID
	j.e.logger().InfoContext(ctx, "material re-imported without expiry", logRun, j.run.ID.String(), logKey, j.rk.KeyARN, logMaterial, m.ID)
	return j.save(ctx)
}

func (j *keyJob) importPrimaryOnce(ctx context.Context, m Material) error {
	obj, err := j.reimportObject(ctx)
	if err != nil {
		return err
	}
	w, err := j.ensureWrapped(ctx)
	if err != nil {
		return err
	}
	_, err = j.importer(j.key.Region).ImportRewrapping(ctx, obj, j.params, w, existingImport(m), j.rewrapped(ctx))
	if err != nil && j.noLongerExpires(ctx, j.kms, j.rk.KeyARN) {
		return nil // the import took effect; its answer was lost
	}
	return err
}

func materialByID(st KeyStatus, id string) (Material, bool) {
	for _, m := range st.Materials {
		if m.ID == id {
			return m, true
		}
	}
	return Material{}, false
}

// legacyLabel is the unqualified label of the object a run made before
// KeyHSMLabel qualified secondary-Region labels, when the run key's label
// is the qualified one ("" otherwise).
func (j *keyJob) legacyLabel() string {
	id, _, _ := strings.Cut(strings.TrimPrefix(j.rk.HSMLabel, hsm.LabelPrefix), ":")
	run, err := store.ParseRunID(id)
	if err != nil || j.rk.HSMLabel != KeyHSMLabel(run, j.key) {
		return ""
	}
	return legacyHSMLabel(run, j.key)
}
