package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
	"github.com/byok-dev/byok/internal/sharedstate"
	"github.com/byok-dev/byok/internal/store"
)

// stateView is what the reading commands (lock status, runs list, runs
// show) read: the local state file (empty when there is none) and the
// shared state location (nil without one).
type stateView struct {
	store  *store.Store
	shared *sharedstate.Store
	env    *rotationEnv // nil when opened without an estate
}

func (v *stateView) Close() error {
	if v.env != nil {
		return v.env.Close()
	}
	if v.store != nil {
		return v.store.Close()
	}
	return nil
}

// sharedOnly reports whether a reading command should open the shared
// state location without an estate: a location is given by --state-location
// or $BYOK_STATE_LOCATION and no estate file is (no --estate,
// $BYOK_ESTATE or ./byok.yaml).
func sharedOnly(estateFlag, locFlag string) (string, bool) {
	loc, _ := app.ResolveStateLocation(locFlag, "")
	if loc == "" {
		return "", false
	}
	_, src, err := estate.Resolve(estateFlag)
	return loc, err == nil && src == estate.ExampleSource
}

// openStateView opens the local state file read-only (an absent one reads
// as empty) and, given one, the shared state location: with an estate
// through the Security account's operator role (openRotation), without
// one with the caller's AWS credentials as they are.
func openStateView(ctx context.Context, f rotationFlags, stderr io.Writer) (*stateView, error) {
	loc, ok := sharedOnly(*f.estateFile, *f.stateLocation)
	if !ok {
		f.stateMode = store.ModeReadIfExists
		env, err := openRotation(ctx, f, false, stderr)
		if err != nil {
			return nil, err
		}
		return &stateView{store: env.store, shared: env.app.Shared, env: env}, nil
	}
	path := *f.statePath
	if path == "" {
		path = store.DefaultPath()
	}
	st, err := store.OpenMode(ctx, path, store.ModeReadIfExists)
	if err != nil {
		return nil, err
	}
	shared, err := openSharedOnly(ctx, loc)
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	return &stateView{store: st, shared: shared}, nil
}

// openSharedOnly opens the shared state location loc with the caller's
// AWS credentials as they are, in the bucket's Region (HeadBucket names
// it from any Region; us-east-1 asks when none is configured).
func openSharedOnly(ctx context.Context, loc string) (*sharedstate.Store, error) {
	l, err := sharedstate.ParseLocation(loc)
	if err != nil {
		return nil, &exitError{Code: exitUsage, Err: err}
	}
	cfg, err := awsx.Load(ctx, "")
	if errors.Is(err, awsx.ErrNoRegion) {
		cfg, err = awsx.Load(ctx, "us-east-1")
	}
	if err != nil {
		return nil, err
	}
	region, err := sharedstate.BucketRegion(ctx, awsx.S3(cfg), l.Bucket)
	if err != nil {
		return nil, fmt.Errorf("state location %s: %w", l, err)
	}
	return &sharedstate.Store{S3: awsx.S3(awsx.WithRegion(cfg, region)), Location: l}, nil
}
