package main

import (
	"context"

	"github.com/byok-dev/byok/internal/app"
	"github.com/byok-dev/byok/internal/awsx"
	"github.com/byok-dev/byok/internal/estate"
)

// awsEnv is the application's client cache (package app).
type awsEnv = app.Clients

// newAWSEnv loads the caller's AWS configuration in the estate's primary
// Region (the SDK chain; AWS_ENDPOINT_URL honoured; adaptive retry) and
// returns the application's one client cache over it (package app), for
// commands that need AWS but no state store (scan).
func newAWSEnv(ctx context.Context, est *estate.Estate) (*app.Clients, error) {
	base, err := awsx.Load(ctx, est.PrimaryRegion())
	if err != nil {
		return nil, err
	}
	return app.NewClients(base, est), nil
}
