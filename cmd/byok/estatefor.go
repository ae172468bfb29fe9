package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/byok-dev/byok/internal/estate"
)

// errNoEstate: a command that talks to AWS found no estate file and no
// sandbox endpoint; the embedded example describes accounts that are not
// the user's, so it is never used against real AWS.
var errNoEstate = errors.New("no estate file: pass --estate FILE, set $" + estate.EnvVar +
	", or create ./" + estate.DefaultFile + " (start from examples/estate.yaml and byok estate validate it); " +
	"the embedded example estate is only used against a local sandbox (AWS_ENDPOINT_URL set)")

// resolveEstateForAWS resolves the estate like every command, but falls
// back to the embedded example only when AWS_ENDPOINT_URL points the SDK at
// an endpoint other than AWS (the sandbox): nothing about a real estate is
// guessed.
func resolveEstateForAWS(flagValue string, stderr io.Writer) (*estate.Estate, string, error) {
	est, src, err := estate.Resolve(flagValue)
	if err != nil || src != estate.ExampleSource {
		return est, src, err
	}
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		return nil, src, errNoEstate
	}
	fmt.Fprintf(stderr, "byok: no --estate, $%s or ./%s; using the %s against %s\n",
		estate.EnvVar, estate.DefaultFile, estate.ExampleSource, os.Getenv("AWS_ENDPOINT_URL"))
	return est, src, nil
}

// loadEstateForAWS is resolveEstateForAWS for commands that read AWS with
// the estate: a file with problems is reported on stderr, each with
// file:line (estateProblems), and returned as the error.
func loadEstateForAWS(flagValue string, stderr io.Writer) (est *estate.Estate, source string, err error) {
	est, source, err = resolveEstateForAWS(flagValue, stderr)
	if errors.Is(err, errNoEstate) {
		return nil, source, err
	}
	if err != nil {
		return nil, source, estateProblems(stderr, source, err)
	}
	return est, source, nil
}
