package serve

import (
	"context"
	"time"

	"github.com/byok-dev/byok/internal/report"
	"github.com/byok-dev/byok/internal/serve/view"
)

// Clock is the service's time; the sandbox clock in tests.
type Clock interface{ Now() time.Time }

// Planner reads every estate key (read-only) and decides, at now, which
// are due and which materials expire within the warning window.
type Planner interface {
	Plan(ctx context.Context, now time.Time) ([]view.Key, error)
}

// ScanResult is one complete scan, saved in the state store.
type ScanResult struct {
	Report report.Report
	// NewNonCompliant labels the resources NON_COMPLIANT now that were not
	// in the previous saved scan (findings diff).
	NewNonCompliant []string
}

// Scanner scans the estate and saves the scan.
type Scanner interface {
	Scan(ctx context.Context, now time.Time) (ScanResult, error)
}

// RotateResult is what one rotation request started.
type RotateResult struct {
	RunIDs  []string
	Rotated []string // aliases rotated or re-imported
}

// Rotator rotates with the same engine, journal and key locks as the CLI.
type Rotator interface {
	// RotateDue rotates the keys due at now and re-imports the expiring
	// material byok imported (byok rotate --due).
	RotateDue(ctx context.Context, now time.Time) (RotateResult, error)
	// RotateKey rotates one estate key now if it is due at now; requestedBy
	// is recorded in the run's change reference and the audit entry.
	RotateKey(ctx context.Context, alias, requestedBy string, now time.Time) (RotateResult, error)
	// ResumeStopped resumes the runs the service started and left stopped
	// or running (killed); it returns their IDs.
	ResumeStopped(ctx context.Context) ([]string, error)
}

// Reader is the read-only view of the state store and the HSM.
type Reader interface {
	Runs(ctx context.Context) ([]view.Run, error)
	Scans(ctx context.Context) ([]view.ScanPoint, error)
	Audit(ctx context.Context) (view.Audit, error)
	// HSM checks the token can be opened and logged into.
	HSM(ctx context.Context) error
}

// Deps are the service's collaborators; all are required.
type Deps struct {
	Planner Planner
	Scanner Scanner
	Rotator Rotator
	Reader  Reader
}
