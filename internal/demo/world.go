package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
	"github.com/byok-dev/byok/internal/store"
)

// world is everything the story runs on.
type world struct {
	opts     Options
	sb       *sandboxrun.Sandbox
	est      *estate.Estate
	seeded   seed.Result
	clients  *clients
	store    *store.Store
	audit    *audit.Log
	token    *token
	hsm      *hsm.Session
	engine   *rotation.Engine
	operator string
	// transport carries every demo SDK call, so close can drop its idle
	// connections before the sandbox shuts down (a connection the server
	// never saw a request on delays http.Server.Shutdown by 5 s).
	transport *http.Transport
}

const stateFile = "state.db"

// stateFiles are the demo's earlier state store and its SQLite companions.
var stateFiles = []string{stateFile, stateFile + "-wal", stateFile + "-shm", stateFile + "-journal"}

// prepareDir creates dir and removes the files an earlier demo left there.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create demo directory: %w", err)
	}
	for _, f := range stateFiles {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("clear earlier demo state: %w", err)
		}
	}
	return nil
}

// startSandbox starts the in-process sandbox on a free loopback port and
// seeds the demo estate with its key history and resources.
func (w *world) startSandbox(ctx context.Context) error {
	est, err := seed.DemoEstate()
	if err != nil {
		return err
	}
	w.est = est
	if w.sb, err = sandboxrun.New(sandboxrun.Options{Logger: w.opts.Logger}); err != nil {
		return err
	}
	if _, err := w.sb.Start(ctx, "127.0.0.1:0"); err != nil {
		return err
	}
	so := w.seedOptions()
	if w.seeded, err = seed.Apply(ctx, w.sb, est, so); err != nil {
		return fmt.Errorf("seed demo estate: %w", err)
	}
	return nil
}

// connect builds the SDK clients from an explicit configuration: the
// Security account's sandbox credentials, then AssumeRole per account as
// byok does against AWS. Nothing ambient (profiles, env keys) is read.
func (w *world) connect(ctx context.Context) error {
	base := w.sb.Config(ctx, w.est.SecurityAccount)
	base.Region = w.est.PrimaryRegion()
	base.RetryMode, base.RetryMaxAttempts = aws.RetryModeAdaptive, 8
	bc := awshttp.NewBuildableClient()
	w.transport = bc.GetTransport()
	base.HTTPClient = bc
	accts := awsx.NewAccounts(base, w.est.SecurityAccount, w.est.Roles.Operator, w.est.Roles.Verify)
	w.clients = newClients(accts)
	op, err := awsx.CallerARN(ctx, accts.For(w.est.SecurityAccount))
	if err != nil {
		return fmt.Errorf("assume the operator role: %w", err)
	}
	w.operator = op
	return nil
}

// openHSM creates the demo token and opens a session on it.
func (w *world) openHSM(ctx context.Context) error {
	pinFile := ""
	if w.opts.Keep {
		pinFile = filepath.Join(w.opts.Dir, "hsm-pin")
	}
	t, err := newToken(ctx, w.opts.Dir, w.opts.Module, pinFile)
	if err != nil {
		return err
	}
	w.token = t
	if w.hsm, err = hsm.Open(ctx, t.uri, hsm.Options{Logger: w.opts.Logger}); err != nil {
		return fmt.Errorf("open demo token: %w", err)
	}
	return nil
}

// openEngine opens the state store and audit log and builds the engine.
func (w *world) openEngine(ctx context.Context) error {
	var err error
	if w.store, err = store.Open(ctx, filepath.Join(w.opts.Dir, stateFile)); err != nil {
		return err
	}
	if w.audit, err = audit.Open(ctx, w.store); err != nil {
		return err
	}
	alg, err := hsm.ParseWrappingAlgorithm(w.est.Policy.Wrapping.Algorithm)
	if err != nil {
		return err
	}
	w.engine = &rotation.Engine{Estate: w.est, Store: w.store, Clients: rotClients{w.clients}, HSM: w.hsm,
		Audit: rotation.AuditLog{Log: w.audit}, Limits: rotation.NewLimits(rotation.DefaultRates()),
		Operator: w.operator, Algorithm: alg, Poll: 100 * time.Millisecond, RotateTimeout: time.Minute,
		WatchWindow: w.opts.WatchWindow, Logger: w.opts.Logger}
	return nil
}

// close releases everything, in reverse order of opening.
func (w *world) close() error {
	var errs []error
	if w.hsm != nil {
		errs = append(errs, w.hsm.Close())
	}
	if w.token != nil {
		w.token.close()
	}
	if w.store != nil {
		errs = append(errs, w.store.Close())
	}
	if w.transport != nil {
		w.transport.CloseIdleConnections()
	}
	if w.sb != nil {
		errs = append(errs, w.sb.Close())
	}
	return errors.Join(errs...)
}
