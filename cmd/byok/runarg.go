package main

import (
	"flag"
	"strings"

	"github.com/byok-dev/byok/internal/store"
)

// runArgs is the one RUN-argument parser of every command that takes a
// run ID (resume, rollback, runs show, runs abandon): flags before, between
// or after RUN; exactly one RUN; a malformed ID, a missing or an extra
// argument is a usage error (exit 64) naming the command.
func runArgs(fs *flag.FlagSet, args []string) (store.RunID, error) {
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	name := strings.TrimPrefix(fs.Name(), "byok ")
	switch {
	case fs.NArg() == 0:
		fs.Usage()
		return "", usageError(name, "expected one RUN, e.g. byok %s r-20261127T010203Z-3fa9 (see byok runs list)", name)
	case fs.NArg() > 1:
		return "", usageError(name, "unexpected argument %q after RUN: give one RUN", fs.Arg(1))
	}
	id, err := store.ParseRunID(fs.Arg(0))
	if err != nil {
		return "", usageError(name, "RUN %q: %v", fs.Arg(0), err)
	}
	return id, nil
}
