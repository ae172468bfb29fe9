package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"time"

	"github.com/byok-dev/byok/internal/audit"
	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/store"
)

// rotationFlags are the flags every rotation command shares.
type rotationFlags struct {
	estateFile *string
	hsmURI     *string
	statePath  *string
	verbose    *bool
	watch      *time.Duration
	// stateMode is how the command may use the state file; the zero value
	// (ModeUnknown) means store.ModeWrite: the file must exist.
	stateMode store.Mode
}

func addRotationFlags(fs *flag.FlagSet) rotationFlags {
	addAWSFlags(fs)
	return rotationFlags{
		estateFile: fs.String("estate", "", "estate file (default $"+estate.EnvVar+", ./"+estate.DefaultFile+", else the embedded example)"),
		hsmURI:     fs.String("hsm", "", "PKCS#11 URI (default $"+hsmURIEnv+", else hsm: in the estate)"),
		statePath:  fs.String("state", "", "state store (default $BYOK_STATE or ./.byok/state.db)"),
		verbose:    fs.Bool("v", false, "log every step to stderr"),
		watch: fs.Duration("watch", 0, "how long the last step waits before reading CloudTrail for failed calls on the key\n"+
			"(CloudTrail shows events after up to ~15 min: 15m for a thorough watch; 0 reads at once\n"+
			"and byok prints the byok watch command to run later)"),
	}
}

// rotationEnv is an engine plus what must be closed after it.
type rotationEnv struct {
	engine *rotation.Engine
	est    *estate.Estate
	aws    *awsEnv
	store  *store.Store
	hsm    *hsm.Session
}

func (r *rotationEnv) Close() error {
	var errs []error
	if r.aws != nil {
		r.aws.Close()
	}
	if r.hsm != nil {
		errs = append(errs, r.hsm.Close())
	}
	if r.store != nil {
		errs = append(errs, r.store.Close())
	}
	return errors.Join(errs...)
}

// openRotation loads the estate, AWS, the state store and (when needHSM)
// the HSM session, and builds the engine.
func openRotation(ctx context.Context, f rotationFlags, needHSM bool, stderr io.Writer) (*rotationEnv, error) {
	est, _, err := resolveEstateForAWS(*f.estateFile, stderr)
	if err != nil {
		return nil, err
	}
	ae, err := newAWSEnv(ctx, est)
	if err != nil {
		return nil, err
	}
	env := &rotationEnv{est: est, aws: ae}
	if env.store, err = openStore(ctx, *f.statePath, f.stateMode); err != nil {
		_ = env.Close()
		return nil, err
	}
	log, err := audit.Open(ctx, env.store)
	if err != nil {
		_ = env.Close()
		return nil, err
	}
	env.engine = newEngine(est, env.store, ae.Rotation(), log, f, stderr)
	env.engine.WatchWindow = *f.watch
	if needHSM {
		if err := env.openHSM(ctx, f, stderr); err != nil {
			_ = env.Close()
			return nil, err
		}
		// The operator identity goes into the run and the audit entry.
		if env.engine.Operator, err = awsx.CallerARN(ctx, ae.accounts.For(est.SecurityAccount)); err != nil {
			_ = env.Close()
			return nil, err
		}
	}
	return env, nil
}

func newEngine(est *estate.Estate, st *store.Store, clients rotation.Clients, log *audit.Log, f rotationFlags, stderr io.Writer) *rotation.Engine {
	level := slog.LevelWarn
	if *f.verbose {
		level = slog.LevelInfo
	}
	return &rotation.Engine{Estate: est, Store: st, Audit: rotation.AuditLog{Log: log},
		Clients: clients,
		Limits:  rotation.NewLimits(rotation.DefaultRates()), Failpoint: failpointFromEnv(),
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))}
}

func (r *rotationEnv) openHSM(ctx context.Context, f rotationFlags, stderr io.Writer) error {
	t, err := resolveHSM(*f.hsmURI, *f.estateFile)
	if err != nil {
		return err
	}
	alg, err := hsm.ParseWrappingAlgorithm(r.est.Policy.Wrapping.Algorithm)
	if err != nil {
		return err
	}
	s, err := openHSM(ctx, t, stderr)
	if err != nil {
		return err
	}
	r.hsm, r.engine.HSM, r.engine.Algorithm = s, s, alg
	return nil
}

func openStore(ctx context.Context, path string, mode store.Mode) (*store.Store, error) {
	if path == "" {
		path = store.DefaultPath()
	}
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
