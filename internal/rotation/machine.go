package rotation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/byok-dev/byok/internal/store"
)

// Strategy is a journaled procedure on one key. The zero value is invalid.
// The store keeps its name (String); the rules live here.
type Strategy int

// Strategies.
const (
	StrategyUnknown Strategy = iota
	// InPlace: ImportKeyMaterial NEW_KEY_MATERIAL + RotateKeyOnDemand; key
	// ID and ARN unchanged (strategy_inplace.go).
	InPlace
	// NewKey: CreateKey EXTERNAL + import + UpdateAlias (strategy_newkey.go).
	NewKey
	// Reimport: the same expiring material imported again as
	// EXISTING_KEY_MATERIAL without expiry (reimport_steps.go).
	Reimport
	// RollbackStrategy: the alias a new-key run moved goes back to the old
	// key (strategy_rollback.go); a run of its own whose Target is the
	// rolled-back run.
	RollbackStrategy
	// Retire: DisableKey on an old key nothing uses any more
	// (strategy_retire.go); RetireUndo: EnableKey of a retired key;
	// ScheduleDeletion: ScheduleKeyDeletion of a key retired long enough.
	Retire
	RetireUndo
	ScheduleDeletion
	// ImportFirst: a key's first material (key PendingImport, no
	// material yet), generated in the HSM (strategy_import.go).
	ImportFirst
	// ImportExisting: a material whose imported copy expired or was
	// deleted (or whose expiry the operator changes) imported again from
	// its HSM object as EXISTING_KEY_MATERIAL (strategy_import.go).
	ImportExisting
	// MigrateRDSInstance: final snapshot → copy under the target key →
	// restore → rename switch → stop the old one (migrate_rds.go).
	MigrateRDSInstance
	// MigrateAuroraCluster: the same with cluster snapshots and one
	// instance per original member (migrate_aurora.go).
	MigrateAuroraCluster
	// MigrateDynamoDB: UpdateTable SSESpecification per replica
	// (migrate_dynamodb.go).
	MigrateDynamoDB
	// MigrateRollback: undoes a migration run's switch; a run of its own
	// whose Target is the migration run (migrate_rollback.go).
	MigrateRollback
	// MigrateS3Bucket: default encryption onto the target key, every
	// current object re-encrypted in place (migrate_s3.go).
	MigrateS3Bucket
)

var strategyNames = [...]string{"", "in-place", "new-key", "reimport", "rollback", "retire", "retire-undo", "schedule-deletion",
	"import", "import-existing",
	"migrate-rds-instance", "migrate-aurora-cluster", "migrate-dynamodb-table", "migrate-rollback",
	"migrate-s3-bucket"}

func (s Strategy) String() string {
	if s <= StrategyUnknown || int(s) >= len(strategyNames) {
		return fmt.Sprintf("Strategy(%d)", int(s))
	}
	return strategyNames[s]
}

// ErrUnknownStrategy: a strategy name that no procedure has.
var ErrUnknownStrategy = errors.New("unknown strategy")

// ParseStrategy reads a name written by String (the store's and the
// estate's strategy names).
func ParseStrategy(name string) (Strategy, error) {
	for i := InPlace; int(i) < len(strategyNames); i++ {
		if strategyNames[i] == name {
			return i, nil
		}
	}
	return StrategyUnknown, fmt.Errorf("strategy %q: %w (want one of %s)", name, ErrUnknownStrategy, strings.Join(strategyNames[1:], ", "))
}

// action is what one step does for one key. Every action is idempotent
// given the run key and what KMS and the HSM say: a resumed run runs the
// interrupted step again.
type action func(j *keyJob, ctx context.Context) error

// stepDef is one row of a procedure's table: the step, its action, the
// steps allowed after it ended, and whether it applies to a key at all
// (import-replicas only to multi-Region keys).
type stepDef struct {
	step    store.Step
	do      action
	next    []store.Step
	applies func(multiRegion bool) bool
}

// procedure is the state machine of one strategy: its table, in order.
// A new procedure (a resource migration, a key retirement) is a new
// Strategy with its own table in its own file, registered in procedures;
// the runner, the journal, resume and the kill tests need nothing else.
type procedure struct {
	strategy Strategy
	table    []stepDef
	// resource: the procedure runs on a resource (a migration), not an
	// estate key: its subject is the resource ARN (see Subject), the
	// journal, locks, audit and resume work on that ARN, and admission is
	// admitResource (no key plan).
	resource bool
	// method is the planner's method (package migrate's Method) a
	// resource procedure carries out; "" for key procedures and rollbacks.
	method string
}

// procedures is every strategy's table (one file each).
var procedures = map[Strategy]*procedure{}

func register(p *procedure) { procedures[p.strategy] = p }

func procedureFor(s Strategy) (*procedure, error) {
	p, ok := procedures[s]
	if !ok {
		return nil, fmt.Errorf("strategy %s: %w", s, ErrUnknownStrategy)
	}
	return p, nil
}

// steps is the procedure's step order for a key.
func (p *procedure) steps(multiRegion bool) []store.Step {
	var out []store.Step
	for _, d := range p.table {
		if d.applies == nil || d.applies(multiRegion) {
			out = append(out, d.step)
		}
	}
	return out
}

func (p *procedure) def(step store.Step) (stepDef, bool) {
	for _, d := range p.table {
		if d.step == step {
			return d, true
		}
	}
	return stepDef{}, false
}

// ErrTransition: a step the procedure does not allow after the last one.
var ErrTransition = errors.New("step not allowed here")

// TransitionError names the refused move.
type TransitionError struct {
	Strategy Strategy
	From, To store.Step // From is StepUnknown before the first step
}

func (e *TransitionError) Error() string {
	if e.From == store.StepUnknown {
		return fmt.Sprintf("%s: %s cannot be the first step: %v", e.Strategy, e.To, ErrTransition)
	}
	return fmt.Sprintf("%s: %s cannot follow %s: %v", e.Strategy, e.To, e.From, ErrTransition)
}

func (e *TransitionError) Unwrap() error { return ErrTransition }

// check is the one transition guard: to may begin when the key's last
// journaled step is from in phase ph. A step begun or failed may run
// again (resume); after a step ended only its table's next steps may
// begin; the first step is the table's first.
func (p *procedure) check(from store.Step, ph store.Phase, to store.Step) error {
	if _, ok := p.def(to); !ok {
		return &TransitionError{Strategy: p.strategy, From: from, To: to}
	}
	if from == store.StepUnknown {
		if to == p.table[0].step {
			return nil
		}
		return &TransitionError{Strategy: p.strategy, From: from, To: to}
	}
	if from == to && ph != store.PhaseEnd {
		return nil
	}
	d, ok := p.def(from)
	if !ok || ph != store.PhaseEnd || !slices.Contains(d.next, to) {
		return &TransitionError{Strategy: p.strategy, From: from, To: to}
	}
	return nil
}

// Steps is the step order of strategy for a key (nil for an unknown
// strategy).
func Steps(s Strategy, multiRegion bool) []store.Step {
	p, err := procedureFor(s)
	if err != nil {
		return nil
	}
	return p.steps(multiRegion)
}

// Strategies lists every strategy with a procedure.
func Strategies() []Strategy {
	var out []Strategy
	for i := InPlace; int(i) < len(strategyNames); i++ {
		if _, ok := procedures[i]; ok {
			out = append(out, i)
		}
	}
	return out
}
