package rotation

import (
	"os"
	"syscall"

	"github.com/byok-dev/byok/internal/store"
)

// FailpointEnv names the environment variable that makes the byok process
// SIGKILL itself at one step boundary, e.g. BYOK_FAILPOINT=import:after:
// "before" (not yet journaled as begun), "after" (journaled as ended), or
// "unrecorded" (the step's work is done, the journal does not say so yet:
// the crash a resume must detect from what KMS says). It exists for the
// kill tests, which prove a run resumes from every boundary; it has no
// effect unless set, and the byok command reads it only when built with
// -tags byokfailpoints (release binaries cannot be crashed through it).
const FailpointEnv = "BYOK_FAILPOINT"

func (e *Engine) failpoint(step store.Step, when string) {
	if e.Failpoint == "" || e.Failpoint != step.String()+":"+when {
		return
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is delivered; never continue past the boundary
}

// failpointAt kills the process at a named point that is not a step
// boundary: "request:after" (the run and its request are journaled,
// nothing admitted), "admit:after" (a key was just admitted) and
// "hsm-generate:unjournaled" (the key's HSM object exists, the journal
// does not name it yet).
func (e *Engine) failpointAt(name string) {
	if e.Failpoint == "" || e.Failpoint != name {
		return
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// failpoint is Engine.failpoint for this job's procedure: a failpoint
// may also name the strategy, "STRATEGY/STEP:WHEN" (e.g.
// migrate-rds-instance/switch:unrecorded), so that a kill test of one
// procedure is not triggered by another sharing the step's name.
func (j *keyJob) failpoint(step store.Step, when string) {
	if j.e.Failpoint == j.proc.strategy.String()+"/"+step.String()+":"+when {
		j.e.failpointAt(j.e.Failpoint)
	}
	j.e.failpoint(step, when)
}
