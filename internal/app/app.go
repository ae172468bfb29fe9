package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sharedstate"
	"github.com/byok-dev/byok/internal/store"
)

// Options say how to build an App. Estate, AWS and StatePath are
// required.
type Options struct {
	Estate *estate.Estate
	// AWS is the base configuration: the caller's credentials and endpoint
	// (awsx.Load for the CLI, the sandbox's for the demo).
	AWS       aws.Config
	StatePath string
	// StateMode is how the state file is opened (store.ModeWrite when
	// unknown; ModeCreate for commands that start work).
	StateMode store.Mode
	// HSM, when set, is the session rotations wrap with; the App closes it.
	HSM *hsm.Session
	// Operator resolves the caller's ARN (STS) for runs and audit entries;
	// commands that change nothing leave it off.
	Operator bool
	Logger   *slog.Logger
	// Failpoint is the kill-test failpoint (see rotation.FailpointEnv).
	Failpoint string
	// WatchWindow, Poll and RotateTimeout tune the engine (zero: its
	// defaults).
	WatchWindow, Poll, RotateTimeout time.Duration
	// StateLocation is the shared state location (s3://bucket/prefix; ""
	// for local state only; see ResolveStateLocation); StaleAfter is when
	// a silent lock holder counts as stale (zero: 2 min).
	StateLocation string
	StaleAfter    time.Duration
	// MigrationRole is the member accounts' migration role ARN with
	// {account} (DefaultMigrationRole when empty), for resource procedures.
	MigrationRole string
}

// App is byok's parts, wired.
type App struct {
	Estate *estate.Estate
	AWS    *Clients
	Store  *store.Store
	Audit  *audit.Log
	HSM    *hsm.Session
	Engine *rotation.Engine
	// Shared and Session are the shared state (nil without a location).
	Shared  *sharedstate.Store
	Session *sharedstate.Session
}

// Open builds the App: clients, state store and audit log, the engine,
// and (with Options.Operator) the operator identity. On error everything
// opened so far is closed, Options.HSM included.
func Open(ctx context.Context, o Options) (*App, error) {
	a := &App{Estate: o.Estate, HSM: o.HSM, AWS: NewClients(o.AWS, o.Estate)}
	if err := a.open(ctx, o); err != nil {
		return nil, errors.Join(err, a.Close())
	}
	return a, nil
}

func (a *App) open(ctx context.Context, o Options) error {
	var err error
	if a.Store, err = openStore(ctx, o.StatePath, o.StateMode); err != nil {
		return err
	}
	if a.Audit, err = audit.Open(ctx, a.Store); err != nil {
		return err
	}
	alg, err := hsm.ParseWrappingAlgorithm(o.Estate.Policy.Wrapping.Algorithm)
	if err != nil {
		return err
	}
	a.Engine = &rotation.Engine{Estate: o.Estate, Store: a.Store, Clients: a.AWS.Rotation(),
		Audit: rotation.AuditLog{Log: a.Audit}, Limits: a.AWS.Pace(),
		Algorithm: alg, Poll: o.Poll, RotateTimeout: o.RotateTimeout, WatchWindow: o.WatchWindow,
		Logger: o.Logger, Failpoint: o.Failpoint}
	if o.HSM != nil {
		a.Engine.HSM = o.HSM
	}
	a.Engine.Retire = a.RetireSources()
	a.Engine.Resources = NewMigration(a.AWS, o.Estate.SecurityAccount, o.MigrationRole)
	if err := a.openShared(ctx, o); err != nil {
		return err
	}
	if o.Operator {
		return a.ResolveOperator(ctx)
	}
	return nil
}

// ResolveOperator sets the engine's operator (and the shared state
// session's holder) to the caller's ARN (STS).
func (a *App) ResolveOperator(ctx context.Context) error {
	op, err := awsx.CallerARN(ctx, a.AWS.Accounts().For(a.Estate.SecurityAccount))
	if err != nil {
		return fmt.Errorf("operator identity: %w", err)
	}
	a.Engine.Operator = op
	if a.Session != nil {
		a.Session.Holder = op
	}
	return nil
}

// Close releases everything, in reverse order of opening.
func (a *App) Close() error {
	var errs []error
	if a.HSM != nil {
		errs = append(errs, a.HSM.Close())
	}
	if a.Store != nil {
		errs = append(errs, a.Store.Close())
	}
	if a.AWS != nil {
		a.AWS.Close()
	}
	return errors.Join(errs...)
}

// AttachHSM gives the engine the HSM session (opened after the rest, only
// by commands that wrap); the App closes it.
func (a *App) AttachHSM(s *hsm.Session) {
	a.HSM, a.Engine.HSM = s, s
}

// openStore opens the state file in mode (ModeWrite when unknown); a
// creating open first refuses an orphaned audit head file.
func openStore(ctx context.Context, path string, mode store.Mode) (*store.Store, error) {
	if mode == store.ModeUnknown {
		mode = store.ModeWrite
	}
	if mode == store.ModeCreate {
		if err := audit.CheckOrphanHead(path); err != nil {
			return nil, err
		}
	}
	return store.OpenMode(ctx, path, mode)
}
