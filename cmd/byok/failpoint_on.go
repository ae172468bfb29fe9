//go:build byokfailpoints

package main

import (
	"os"

	"github.com/byok-dev/byok/internal/rotation"
)

// failpointFromEnv reads BYOK_FAILPOINT. Only binaries built with
// -tags byokfailpoints (the kill tests) have it; a release binary cannot be
// made to kill itself mid-rotation through its environment.
func failpointFromEnv() string { return os.Getenv(rotation.FailpointEnv) }
