package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/byok-dev/byok/internal/sandbox/sandboxrun"
)

// removeExports deletes a stale exports file before the sandbox starts, so
// that a script waiting for the file to exist waits for this sandbox.
func removeExports(path string) error {
	if path == "" {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--exports %s: %w", path, err)
	}
	return nil
}

// writeExports writes the security account's export lines to path,
// atomically (a temporary file renamed into place) and readable only by
// the user, so `. path` never sources half a file.
func writeExports(path string, sb *sandboxrun.Sandbox) error {
	if path == "" {
		return nil
	}
	var account string
	for _, a := range sb.Accounts() {
		if a.Name == "security" || account == "" {
			account = a.ID
		}
	}
	if account == "" {
		return fmt.Errorf("--exports %s: the sandbox has no accounts (seed it with --seed demo or an estate file)", path)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# byok sandbox, security account %s; written by byok sandbox --exports\n", account)
	for _, line := range sb.Exports(account) {
		fmt.Fprintf(&b, "export %s\n", line)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".exports-*")
	if err != nil {
		return fmt.Errorf("--exports %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return fmt.Errorf("--exports %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--exports %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--exports %s: %w", path, err)
	}
	return nil
}
