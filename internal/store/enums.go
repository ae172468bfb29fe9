package store

import "fmt"

// RunStatus is a run's lifecycle state. The zero value is invalid.
type RunStatus int

// Run statuses.
const (
	StatusUnknown RunStatus = iota
	// StatusPlanned: recorded, no step run yet.
	StatusPlanned
	// StatusRunning: steps are running (or the process died mid-run).
	StatusRunning
	// StatusSucceeded: every key reached StepDone.
	StatusSucceeded
	// StatusFailed: ended with an error and will not be resumed.
	StatusFailed
	// StatusStopped: halted at a step boundary (Ctrl-C, or a failed check
	// the operator can fix); resumable.
	StatusStopped
	// StatusPartial: ended with every admitted key done but some requested
	// keys refused (Run.Error and the request name them); not resumable.
	StatusPartial
	// StatusRolledBack: a new-key run whose alias moves a rollback run
	// (Run.Target) undid; finished.
	StatusRolledBack
)

var statusNames = [...]string{"", "planned", "running", "succeeded", "failed", "stopped", "partial", "rolled-back"}

func (s RunStatus) String() string {
	if s <= StatusUnknown || int(s) >= len(statusNames) {
		return fmt.Sprintf("RunStatus(%d)", int(s))
	}
	return statusNames[s]
}

// Finished reports whether the run will never run another step; only
// unfinished runs hold key locks and can be resumed.
func (s RunStatus) Finished() bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusPartial || s == StatusRolledBack
}

// ParseRunStatus reads a name written by String.
func ParseRunStatus(name string) (RunStatus, error) {
	for i := StatusPlanned; int(i) < len(statusNames); i++ {
		if statusNames[i] == name {
			return i, nil
		}
	}
	return StatusUnknown, fmt.Errorf("run status %q: %w", name, ErrInvalid)
}

// Step is one step of a key's rotation (DESIGN.md). The zero value is invalid.
type Step int

// Steps: the names the journal records. Which steps a procedure runs, in
// which order, and which may follow which, is the rotation package's
// (its per-strategy tables); the store knows no rotation rule. The Go
// values may move when steps are added; the journal stores the names,
// which never change.
const (
	StepUnknown Step = iota
	StepPlan
	StepCanaries
	StepHSMGenerate
	StepGetParameters
	StepWrap
	StepImport
	StepImportReplicas
	StepRotate
	StepVerify
	StepTag
	StepWatch
	StepRecord
	StepCreateKey
	StepUpdateAlias
	StepRollback
	// StepHSMFind finds an existing HSM object by label (a re-import
	// never generates material).
	StepHSMFind
	StepDone
	// StepDisable, StepEnable, StepScheduleDeletion: a key retirement's
	// DisableKey, its undo's EnableKey and the later ScheduleKeyDeletion.
	StepDisable
	StepEnable
	StepScheduleDeletion
	// Resource procedures (migrations, package rotation's migrate_*.go).
	// StepWritersStopped: the operator confirmed the resource's writers
	// are stopped (journaled with how).
	StepWritersStopped
	StepSnapshot     // final snapshot of the resource
	StepCopySnapshot // copy of it encrypted under the target key
	StepRestore      // restore of the copy under a temporary name
	StepMembers      // Aurora: one instance per original member
	StepSwitch       // the names swap: the restored one takes the original's
	StepStopOld      // the original (renamed) is stopped, kept for rollback
	StepUpdateSSE    // DynamoDB: UpdateTable SSESpecification, per replica
	// S3 bucket: PutBucketEncryption onto the target key, then every
	// current object re-encrypted (checkpointed in the journal).
	StepDefaultEncryption
	StepReencrypt
)

var stepNames = [...]string{"", "plan", "canaries", "hsm-generate", "get-parameters", "wrap",
	"import", "import-replicas", "rotate", "verify", "tag", "watch", "record", "create-key",
	"update-alias", "rollback", "hsm-find", "done", "disable", "enable", "schedule-deletion",
	"writers-stopped", "snapshot", "copy-snapshot", "restore", "members", "switch", "stop-old", "update-sse",
	"default-encryption", "reencrypt"}

func (s Step) String() string {
	if s <= StepUnknown || int(s) >= len(stepNames) {
		return fmt.Sprintf("Step(%d)", int(s))
	}
	return stepNames[s]
}

// ParseStep reads a name written by String.
func ParseStep(name string) (Step, error) {
	for i := StepPlan; int(i) < len(stepNames); i++ {
		if stepNames[i] == name {
			return i, nil
		}
	}
	return StepUnknown, fmt.Errorf("step %q: %w", name, ErrInvalid)
}

// Phase is where a journaled step is. The zero value is invalid.
type Phase int

// Phases.
const (
	PhaseUnknown Phase = iota
	PhaseBegin
	PhaseEnd
	PhaseFail
)

var phaseNames = [...]string{"", "begin", "end", "fail"}

func (p Phase) String() string {
	if p <= PhaseUnknown || int(p) >= len(phaseNames) {
		return fmt.Sprintf("Phase(%d)", int(p))
	}
	return phaseNames[p]
}

// ParsePhase reads a name written by String.
func ParsePhase(name string) (Phase, error) {
	for i := PhaseBegin; int(i) < len(phaseNames); i++ {
		if phaseNames[i] == name {
			return i, nil
		}
	}
	return PhaseUnknown, fmt.Errorf("phase %q: %w", name, ErrInvalid)
}
