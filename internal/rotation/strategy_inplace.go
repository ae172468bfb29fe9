package rotation

import "github.com/byok-dev/byok/internal/store"

// The in-place procedure (DESIGN.md): new material from the HSM imported
// as NEW_KEY_MATERIAL (into every replica too), then RotateKeyOnDemand;
// key ID, ARN and aliases never change.
func init() {
	register(&procedure{strategy: InPlace, table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).plan, next: []store.Step{store.StepCanaries}},
		{step: store.StepCanaries, do: (*keyJob).canaries, next: []store.Step{store.StepHSMGenerate}},
		{step: store.StepHSMGenerate, do: (*keyJob).hsmGenerate, next: []store.Step{store.StepGetParameters}},
		{step: store.StepGetParameters, do: (*keyJob).getParameters, next: []store.Step{store.StepWrap}},
		{step: store.StepWrap, do: (*keyJob).wrap, next: []store.Step{store.StepImport}},
		{step: store.StepImport, do: (*keyJob).importMaterial, next: []store.Step{store.StepImportReplicas, store.StepRotate}},
		{step: store.StepImportReplicas, do: (*keyJob).importReplicas, next: []store.Step{store.StepRotate}, applies: multiRegionOnly},
		{step: store.StepRotate, do: (*keyJob).rotate, next: []store.Step{store.StepVerify}},
		{step: store.StepVerify, do: (*keyJob).verifyStep, next: []store.Step{store.StepTag}},
		{step: store.StepTag, do: (*keyJob).tag, next: []store.Step{store.StepWatch}},
		{step: store.StepWatch, do: (*keyJob).watch, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).record, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
}

// multiRegionOnly: the step exists for multi-Region keys only.
func multiRegionOnly(multiRegion bool) bool { return multiRegion }
