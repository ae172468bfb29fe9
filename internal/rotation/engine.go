package rotation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/store"
)

// Log attribute keys.
const (
	logRun  = "run_id"
	logKey  = "key_arn"
	logStep = "step"
	logAcct = "account"
	// logMaterial is a KeyMaterialId (an identifier, not material).
	logMaterial = "key_material_id"
)

// Clients gives the engine SDK clients per account and region.
type Clients interface {
	KMS(account, region string) KMS
	Crypto(account, region string) CryptoKMS
	Trail(account, region string) Trail
}

// Auditor appends the audit record of a finished key rotation.
type Auditor interface {
	Record(ctx context.Context, r AuditRecord) error
	// Has reports whether the run already recorded key (resume idempotency).
	Has(ctx context.Context, runID, keyARN string) (bool, error)
}

// Engine runs rotations. All fields but Logger, Progress and Failpoint are
// required.
type Engine struct {
	Estate   *estate.Estate
	Store    *store.Store
	Clients  Clients
	HSM      HSM
	Audit    Auditor
	Limits   *pace.Pacer
	Operator string // caller ARN, for the run and the audit
	// Algorithm is the HSM wrapping algorithm matching the estate policy.
	Algorithm hsm.WrappingAlgorithm
	// Poll is how often RotateKeyOnDemand completion is checked.
	Poll time.Duration
	// RotateTimeout bounds the wait for an on-demand rotation.
	RotateTimeout time.Duration
	// AliasTimeout bounds a new-key run's wait for its UpdateAlias to be
	// visible (default 5 min).
	AliasTimeout time.Duration
	// WatchWindow is how long the watch step reads CloudTrail after verify.
	WatchWindow time.Duration
	// Concurrency is how many keys rotate at once.
	Concurrency int
	Logger      *slog.Logger
	// Progress, when set, receives one call per step boundary.
	Progress func(ev Progress)
	// Failpoint kills the process at a step boundary (tests only; see failpoint.go).
	Failpoint string
	// TakeOver lets Resume replace a holder that stopped heartbeating for
	// StaleAfter (default 2 min); HeartbeatEvery defaults to 10 s.
	TakeOver       bool
	StaleAfter     time.Duration
	HeartbeatEvery time.Duration
	// Shared, when set, is the shared state location (see shared.go).
	Shared SharedState
	// Retire judges whether a key may be retired (retire procedures only).
	Retire RetireChecker
	// Now is the clock retire judges periods by (default time.Now).
	Now func() time.Time
	// Resources are the member accounts' migration role clients, for
	// resource procedures (migrations); nil when the caller runs none.
	Resources Resources
	// WritersStopped is asked, by a method with downtime, to confirm that
	// the resource's writers are stopped before its final snapshot; it
	// returns how it was confirmed (journaled and audited). Nil refuses.
	WritersStopped func(ctx context.Context, s Subject) (how string, err error)
	// MigrationPoll and MigrationTimeout pace and bound the waits of
	// resource procedures (defaults 15 s and 2 h per wait).
	MigrationPoll, MigrationTimeout time.Duration
	// S3 tunes the S3 bucket method (migrate_s3.go); zero values are its
	// defaults.
	S3 S3Migration
}

// Progress is one step boundary of one key.
type Progress struct {
	RunID  store.RunID
	KeyARN string
	Alias  string
	Step   store.Step
	Phase  store.Phase
	Err    error
}

// ErrStopped is returned when the context was cancelled at a step boundary.
var ErrStopped = errors.New("stopped at a step boundary")

// StoppedError says how to resume.
type StoppedError struct{ RunID store.RunID }

func (e *StoppedError) Error() string {
	return fmt.Sprintf("run %s stopped at a step boundary; resume with: byok resume %s", e.RunID, e.RunID)
}

func (e *StoppedError) Unwrap() error { return ErrStopped }

// KeyFailure is the error of one key's rotation, with the step and a hint.
type KeyFailure struct {
	KeyARN string
	Step   store.Step
	Err    error
	Hint   string
}

func (e *KeyFailure) Error() string {
	s := fmt.Sprintf("%s: step %s: %v", e.KeyARN, e.Step, e.Err)
	if e.Hint != "" {
		s += " (hint: " + e.Hint + ")"
	}
	return s
}

func (e *KeyFailure) Unwrap() error { return e.Err }

func (e *Engine) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

func (e *Engine) progress(j *keyJob, step store.Step, ph store.Phase, err error) {
	ev := Progress{RunID: j.run.ID, KeyARN: j.rk.KeyARN, Alias: j.key.Alias, Step: step, Phase: ph, Err: err}
	if e.Shared != nil {
		e.Shared.Step(context.WithoutCancel(context.Background()), ev)
	}
	if e.Progress != nil {
		e.Progress(ev)
	}
}

func toPtr(t time.Time) *time.Time { return aws.Time(t) }
