package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/hsm"
	"github.com/byok-dev/byok/internal/pace"
	"github.com/byok-dev/byok/internal/rotation"
	"github.com/byok-dev/byok/internal/sharedstate"
	"github.com/byok-dev/byok/internal/store"
)

// rotationFlags are the flags every rotation command shares.
type rotationFlags struct {
	estateFile *string
	hsmURI     *string
	statePath  *string
	// stateLocation is the shared state location (see app.ResolveStateLocation).
	stateLocation *string
	verbose       *bool
	watch         *time.Duration
	// stateMode is how the command may use the state file; the zero value
	// (ModeUnknown) means store.ModeWrite: the file must exist.
	stateMode store.Mode
	// staleAfter is when a silent lock holder counts as stale (zero: the default).
	staleAfter time.Duration
	// migrationRole is the member accounts' migration role ("" the default).
	migrationRole string
}

func addRotationFlags(fs *flag.FlagSet) rotationFlags {
	addAWSFlags(fs)
	return rotationFlags{
		estateFile: fs.String("estate", "", "estate file (default $"+estate.EnvVar+", ./"+estate.DefaultFile+", else the embedded example)"),
		hsmURI:     fs.String("hsm", "", "PKCS#11 URI (default $"+hsmURIEnv+", else hsm: in the estate)"),
		statePath:  fs.String("state", "", "state store (default $BYOK_STATE or ./.byok/state.db)"),
		stateLocation: fs.String("state-location", "", "shared state location s3://BUCKET/PREFIX in the Security account, for key locks,\n"+
			"run journals and the audit chain shared by several operators (default $"+app.StateLocationEnv+",\n"+
			"else state_location: in the estate; none: this state file only)"),
		verbose: fs.Bool("v", false, "log every step to stderr"),
		watch: fs.Duration("watch", 0, "how long the last step waits before reading CloudTrail for failed calls on the key\n"+
			"(CloudTrail shows events after up to ~15 min: 15m for a thorough watch; 0 reads at once\n"+
			"and byok prints the byok watch command to run later)"),
	}
}

// rotationEnv is the wired application (package app) with the short
// names the rotation commands use.
type rotationEnv struct {
	app    *app.App
	aws    *awsEnv // the app's clients; byok serve rebuilds them after a clock jump
	engine *rotation.Engine
	est    *estate.Estate
	store  *store.Store
	hsm    *hsm.Session
	quotas []pace.Source // where each Region's request quotas come from
}

func (r *rotationEnv) Close() error { return r.app.Close() }

// openRotation loads the estate and the caller's AWS configuration, wires
// the application (package app: clients, state store, audit log, engine)
// and, when needHSM, opens the HSM session and resolves the operator.
func openRotation(ctx context.Context, f rotationFlags, needHSM bool, stderr io.Writer) (*rotationEnv, error) {
	est, _, err := resolveEstateForAWS(*f.estateFile, stderr)
	if err != nil {
		return nil, err
	}
	base, err := awsx.Load(ctx, est.PrimaryRegion())
	if err != nil {
		return nil, err
	}
	path := *f.statePath
	if path == "" {
		path = store.DefaultPath()
	}
	level := slog.LevelWarn
	if *f.verbose {
		level = slog.LevelInfo
	}
	loc, source := app.ResolveStateLocation(*f.stateLocation, est.StateLocation)
	if loc != "" {
		if _, err := sharedstate.ParseLocation(loc); err != nil {
			return nil, &exitError{Code: exitUsage, Err: fmt.Errorf("%w (from %s)", err, source)}
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	a, err := app.Open(ctx, app.Options{Estate: est, AWS: base, StatePath: path, StateMode: f.stateMode, Operator: needHSM,
		StateLocation: loc, StaleAfter: f.staleAfter, Logger: logger, Failpoint: failpointFromEnv(), WatchWindow: *f.watch,
		MigrationRole: f.migrationRole})
	if err != nil {
		return nil, err
	}
	env := &rotationEnv{app: a, aws: a.AWS, engine: a.Engine, est: est, store: a.Store}
	if env.quotas, err = a.AWS.LoadQuotas(ctx, est.SecurityAccount, app.QuotaRegions(est), logger); err != nil {
		_ = env.Close()
		return nil, err
	}
	if needHSM {
		if err := env.openHSM(ctx, f, stderr); err != nil {
			_ = env.Close()
			return nil, err
		}
	}
	return env, nil
}

func (r *rotationEnv) openHSM(ctx context.Context, f rotationFlags, stderr io.Writer) error {
	t, err := resolveHSM(*f.hsmURI, *f.estateFile)
	if err != nil {
		return err
	}
	s, err := openHSM(ctx, t, stderr)
	if err != nil {
		return err
	}
	r.app.AttachHSM(s)
	r.hsm = s
	return nil
}
