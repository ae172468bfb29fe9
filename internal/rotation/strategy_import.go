package rotation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/keyimport"
	"github.com/byok-dev/byok/internal/store"
)

// The import procedures (byok import). Neither has canaries: a key
// awaiting its first material, or whose material expired, cannot
// encrypt; verify checks a fresh round trip from every account instead.
//
// ImportFirst: AES-256 generated in the HSM under the run's label, wrapped
// and imported as NEW_KEY_MATERIAL described with the run ID (so a later
// --reimport finds the object), then into each replica as
// EXISTING_KEY_MATERIAL. The steps are the rotation's (hsmGenerate finds
// the object a killed run made; importMaterial asks KMS for the run's
// material before importing again).
//
// ImportExisting: the material named by the run key, found in the HSM by
// its label (never generated), imported as EXISTING_KEY_MATERIAL with the
// requested expiry into each replica first and the primary last; a
// material that already shows the requested import state is skipped.
func init() {
	register(&procedure{strategy: ImportFirst, table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).importFirstPlan, next: []store.Step{store.StepHSMGenerate}},
		{step: store.StepHSMGenerate, do: (*keyJob).hsmGenerate, next: []store.Step{store.StepGetParameters}},
		{step: store.StepGetParameters, do: (*keyJob).getParameters, next: []store.Step{store.StepWrap}},
		{step: store.StepWrap, do: (*keyJob).wrap, next: []store.Step{store.StepImport}},
		{step: store.StepImport, do: (*keyJob).importMaterial, next: []store.Step{store.StepImportReplicas, store.StepVerify}},
		{step: store.StepImportReplicas, do: (*keyJob).importReplicas, next: []store.Step{store.StepVerify}, applies: multiRegionOnly},
		{step: store.StepVerify, do: (*keyJob).importVerify, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).record, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
	register(&procedure{strategy: ImportExisting, table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).importExistingPlan, next: []store.Step{store.StepHSMFind}},
		{step: store.StepHSMFind, do: (*keyJob).reimportFind, next: []store.Step{store.StepImportReplicas, store.StepGetParameters}},
		{step: store.StepImportReplicas, do: (*keyJob).importExistingReplicas, next: []store.Step{store.StepGetParameters}, applies: multiRegionOnly},
		{step: store.StepGetParameters, do: (*keyJob).getParameters, next: []store.Step{store.StepWrap}},
		{step: store.StepWrap, do: (*keyJob).reimportWrap, next: []store.Step{store.StepImport}},
		{step: store.StepImport, do: (*keyJob).importExistingPrimary, next: []store.Step{store.StepVerify}},
		{step: store.StepVerify, do: (*keyJob).importVerify, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).record, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
}

// validTo is the expiry the run's request gave the material (nil: none;
// always nil for a rotation).
func (j *keyJob) validTo() *time.Time {
	sel, err := decodeSelector(j.run)
	if err != nil {
		return nil
	}
	return sel.ValidTo
}

// importFirstPlan checks the key still has no material, or only the one
// this run imported before a kill.
func (j *keyJob) importFirstPlan(ctx context.Context) error {
	st, err := Inspect(ctx, j.kms, j.rk.KeyARN)
	if err != nil {
		return err
	}
	j.status = &st
	for _, m := range st.Materials {
		if m.Description == j.run.ID.String() {
			j.rk.NewMaterialID = m.ID
			return j.save(ctx)
		}
	}
	if len(st.Materials) > 0 || st.CurrentID != "" {
		return &Refusal{KeyARN: j.rk.KeyARN, Err: fmt.Errorf("%w: %s (imported since the run was requested)", ErrHasMaterial, st.CurrentID),
			Hint: "byok plan --key " + j.key.Alias + " shows the key's materials; this run has nothing left to do: byok runs abandon " +
				j.run.ID.String() + " --reason …"}
	}
	return j.save(ctx)
}

// importExistingPlan checks the material is still there and notes when
// KMS already shows it imported as asked (nothing left to import).
func (j *keyJob) importExistingPlan(ctx context.Context) error {
	st, err := Inspect(ctx, j.kms, j.rk.KeyARN)
	if err != nil {
		return err
	}
	j.status = &st
	m, ok := materialByID(st, j.rk.OldMaterialID)
	if !ok || j.rk.OldMaterialID == "" {
		return &Refusal{KeyARN: j.rk.KeyARN, Err: fmt.Errorf("%w: %q", ErrMaterialGone, j.rk.OldMaterialID),
			Hint: "byok plan --key " + j.key.Alias + " shows the key's materials now"}
	}
	if settled(m, j.validTo()) {
		j.rk.NewMaterialID = m.ID
	}
	return j.save(ctx)
}

// existingSpec imports m as itself with the requested expiry.
func (j *keyJob) existingSpec(m Material) keyimport.Import {
	return keyimport.Import{Type: types.ImportTypeExistingKeyMaterial, Description: m.Description, MaterialID: m.ID, ValidTo: j.validTo()}
}

// importExistingReplicas imports into each replica whose copy is not
// imported as asked, before the primary (which plans read).
func (j *keyJob) importExistingReplicas(ctx context.Context) error {
	for _, region := range j.key.Replicas {
		arn, k := replicaARN(j.rk.KeyARN, region), j.e.securityKMS(region)
		m, err := j.expiringMaterial(ctx, k, arn)
		if err != nil {
			return fmt.Errorf("replica in %s: %w", region, err)
		}
		if settled(m, j.validTo()) {
			continue
		}
		_, err = j.importer(region).Run(ctx, keyimport.Request{KeyID: arn, Source: keyimport.Source{Label: j.rk.HSMLabel},
			Import: j.existingSpec(m)})
		if errors.Is(err, hsm.ErrObjectNotFound) {
			return missingObject(j.rk.KeyARN, j.rk.HSMLabel, j.run.ID, err)
		}
		if err != nil && !j.settledIn(ctx, k, arn) {
			return fmt.Errorf("replica in %s: %w", region, err)
		}
	}
	return nil
}

// importExistingPrimary imports into the primary unless KMS already shows
// the material imported as asked (a kill after the import).
func (j *keyJob) importExistingPrimary(ctx context.Context) error {
	if j.rk.NewMaterialID != "" {
		return nil
	}
	m, err := j.expiringMaterial(ctx, j.kms, j.rk.KeyARN)
	if err != nil {
		return err
	}
	if !settled(m, j.validTo()) {
		obj, err := j.reimportObject(ctx)
		if err != nil {
			return err
		}
		w, err := j.ensureWrapped(ctx)
		if err != nil {
			return err
		}
		_, err = j.importer(j.key.Region).ImportRewrapping(ctx, obj, j.params, w, j.existingSpec(m), j.rewrapped(ctx))
		if err != nil && !j.settledIn(ctx, j.kms, j.rk.KeyARN) {
			return err
		}
	}
	j.rk.NewMaterialID = m.ID
	j.e.logger().InfoContext(ctx, "material imported again", logRun, j.run.ID.String(), logKey, j.rk.KeyARN, logMaterial, m.ID)
	return j.save(ctx)
}

// settledIn reports whether KMS shows the run's material imported as
// asked after an import error (its answer was lost).
func (j *keyJob) settledIn(ctx context.Context, k KMS, arn string) bool {
	m, err := j.expiringMaterial(ctx, k, arn)
	return err == nil && settled(m, j.validTo())
}
