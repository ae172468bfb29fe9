package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
	"github.com/byok-dev/byok/internal/sandbox/seed"
	"github.com/byok-dev/byok/internal/store"
)

// world is everything the story runs on.
type world struct {
	opts   Options
	sb     *sandboxrun.Sandbox
	est    *estate.Estate
	seeded seed.Result
	token  *token
	hsm    *hsm.Session
	base   aws.Config
	// app is the wired application (package app), as the CLI builds it;
	// the fields below are its parts under the names the phases use. Its
	// Close drops the idle connections before the sandbox shuts down (a
	// connection the server never saw a request on delays
	// http.Server.Shutdown by 5 s).
	app      *app.App
	clients  *app.Clients
	store    *store.Store
	audit    *audit.Log
	engine   *rotation.Engine
	operator string
}

const stateFile = "state.db"

// stateFiles are the demo's earlier state store, its SQLite companions and
// its audit head file (left behind, the head file would make the next
// demo's fresh store look like a truncated one).
var stateFiles = []string{stateFile, stateFile + "-wal", stateFile + "-shm", stateFile + "-journal", audit.HeadPath(stateFile)}

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

// connect makes the demo's base AWS configuration explicit: the Security
// account's sandbox credentials (byok then assumes roles per account as
// it does against AWS). Nothing ambient (profiles, env keys) is read.
func (w *world) connect(context.Context) error {
	w.base = w.sb.Config(context.Background(), w.est.SecurityAccount)
	w.base.Region = w.est.PrimaryRegion()
	w.base.RetryMode, w.base.RetryMaxAttempts = aws.RetryModeAdaptive, 8
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

// openEngine wires the application as the CLI does (package app): one
// client cache, the state store and audit log, the engine with the demo
// token, and the operator identity (AssumeRole of the operator role).
func (w *world) openEngine(ctx context.Context) error {
	a, err := app.Open(ctx, app.Options{Estate: w.est, AWS: w.base, StatePath: filepath.Join(w.opts.Dir, stateFile), StateMode: store.ModeCreate,
		HSM: w.hsm, Operator: true, Logger: w.opts.Logger, Poll: 100 * time.Millisecond, RotateTimeout: time.Minute,
		WatchWindow: w.opts.WatchWindow})
	w.hsm = nil // the app owns (and on error has closed) the session
	if err != nil {
		return err
	}
	w.app, w.clients, w.store, w.audit, w.engine = a, a.AWS, a.Store, a.Audit, a.Engine
	w.hsm, w.operator = a.HSM, a.Engine.Operator
	return nil
}

// close releases everything, in reverse order of opening.
func (w *world) close() error {
	var errs []error
	switch {
	case w.app != nil:
		errs = append(errs, w.app.Close())
	case w.hsm != nil:
		errs = append(errs, w.hsm.Close())
	}
	if w.token != nil {
		w.token.close()
	}
	if w.sb != nil {
		errs = append(errs, w.sb.Close())
	}
	return errors.Join(errs...)
}
