package rotation

import "github.com/byok-dev/byok/internal/store"

// The new-key procedure (DESIGN.md): CreateKey EXTERNAL with the old key's
// policy, description and tags (tagged with the run), import, then
// UpdateAlias; the old key stays enabled for decryption. Single-Region
// keys only (Decide refuses multi-Region keys).
func init() {
	register(&procedure{strategy: NewKey, table: []stepDef{
		{step: store.StepPlan, do: (*keyJob).plan, next: []store.Step{store.StepCanaries}},
		{step: store.StepCanaries, do: (*keyJob).canaries, next: []store.Step{store.StepCreateKey}},
		{step: store.StepCreateKey, do: (*keyJob).createKey, next: []store.Step{store.StepHSMGenerate}},
		{step: store.StepHSMGenerate, do: (*keyJob).hsmGenerate, next: []store.Step{store.StepGetParameters}},
		{step: store.StepGetParameters, do: (*keyJob).getParameters, next: []store.Step{store.StepWrap}},
		{step: store.StepWrap, do: (*keyJob).wrap, next: []store.Step{store.StepImport}},
		{step: store.StepImport, do: (*keyJob).importMaterial, next: []store.Step{store.StepUpdateAlias}},
		{step: store.StepUpdateAlias, do: (*keyJob).updateAlias, next: []store.Step{store.StepVerify}},
		{step: store.StepVerify, do: (*keyJob).verifyStep, next: []store.Step{store.StepTag}},
		{step: store.StepTag, do: (*keyJob).tag, next: []store.Step{store.StepWatch}},
		{step: store.StepWatch, do: (*keyJob).watch, next: []store.Step{store.StepRecord}},
		{step: store.StepRecord, do: (*keyJob).record, next: []store.Step{store.StepDone}},
		{step: store.StepDone, do: (*keyJob).done},
	}})
}
