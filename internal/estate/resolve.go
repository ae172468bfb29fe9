package estate

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
)

//go:embed example.yaml
var exampleYAML []byte

// ExampleSource is the source Resolve reports when it falls back to the
// embedded example, so a CLI can warn that no estate file was found.
const ExampleSource = "embedded example estate"

// EnvVar names the environment variable Resolve reads the estate path from.
const EnvVar = "BYOK_ESTATE"

// DefaultFile is the estate file Resolve looks for in the working directory.
const DefaultFile = "byok.yaml"

// ExampleYAML returns a copy of the embedded example estate (the seed's
// architecture, identical to examples/estate.yaml).
func ExampleYAML() []byte {
	return slices.Clone(exampleYAML)
}

// Resolve finds and parses the estate every command uses: flagValue when
// set, else $BYOK_ESTATE, else ./byok.yaml when it exists, else the
// embedded example (source is then ExampleSource). source names the file
// that was read. A file that is named explicitly but missing is an error,
// never a silent fallback.
func Resolve(flagValue string) (est *Estate, source string, err error) {
	path := flagValue
	if path == "" {
		path = os.Getenv(EnvVar)
	}
	if path == "" {
		_, statErr := os.Stat(DefaultFile)
		switch {
		case errors.Is(statErr, fs.ErrNotExist):
			est, err = Parse(ExampleSource, exampleYAML)
			if est != nil {
				est.Path = "" // parsed from bytes, not from a file
			}
			return est, ExampleSource, err
		case statErr != nil:
			return nil, DefaultFile, fmt.Errorf("resolve estate: %w", statErr)
		}
		path = DefaultFile
	}
	est, err = Load(path)
	return est, path, err
}
